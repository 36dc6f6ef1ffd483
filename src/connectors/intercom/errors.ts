// Intercom failures → the closed union of connector errors. The SDK throws IntercomError with the
// HTTP status and the parsed `error.list` body (subclasses only where the spec lists a status for
// the endpoint, so we branch on `statusCode`, never on the class).
import { IntercomError, IntercomTimeoutError } from 'intercom-client';
import type { ConnectorError } from '../result.ts';

/** Used when a 429 carries neither Retry-After nor X-RateLimit-Reset: one 10-s window. */
const DEFAULT_RETRY_AFTER_MS = 10_000;

interface Envelope {
  readonly code?: string;
  readonly message?: string;
  readonly field?: string;
}

export function mapIntercomError(
  error: unknown,
  now: () => number = Date.now,
): ConnectorError | undefined {
  if (error instanceof IntercomTimeoutError)
    return { system: 'intercom', code: 'upstream', message: error.message };
  if (!(error instanceof IntercomError)) return undefined;
  const status = error.statusCode;
  // No status: the request never got an answer (network failure).
  if (status === undefined) return { system: 'intercom', code: 'upstream', message: error.message };

  const first = firstError(error.body);
  const message = first.message ?? `HTTP ${status}`;
  const base = {
    system: 'intercom' as const,
    status,
    message,
    ...(first.code === undefined ? {} : { upstreamCode: first.code }),
  };
  if (status === 429)
    return { ...base, code: 'rate_limited', retryAfterMs: retryAfterMs(error, now) };
  if (status === 401) return { ...base, code: 'auth_failed', needsReconnect: true };
  if (status === 403) return { ...base, code: 'permission' };
  if (status === 404) return { ...base, code: 'not_found' };
  if (status === 409) {
    const existing = /\bid=([A-Za-z0-9]+)/.exec(message)?.[1];
    return { ...base, code: 'conflict', ...(existing ? { existingId: existing } : {}) };
  }
  if (status === 408 || status >= 500) return { ...base, code: 'upstream' };
  return {
    ...base,
    code: 'validation',
    errorCode: first.code ?? `http_${status}`,
    fields: first.field ? [first.field] : [],
  };
}

function firstError(body: unknown): Envelope {
  if (!body || typeof body !== 'object') return typeof body === 'string' ? { message: body } : {};
  const errors = (body as { errors?: unknown }).errors;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (!first || typeof first !== 'object') return {};
  const e = first as Record<string, unknown>;
  return {
    ...(typeof e['code'] === 'string' ? { code: e['code'] } : {}),
    ...(typeof e['message'] === 'string' ? { message: e['message'] } : {}),
    ...(typeof e['field'] === 'string' ? { field: e['field'] } : {}),
  };
}

function retryAfterMs(error: IntercomError, now: () => number): number {
  const headers = error.rawResponse?.headers;
  const retryAfter = headers?.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  }
  const reset = Number(headers?.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now());
  return DEFAULT_RETRY_AFTER_MS;
}
