// Salesforce failures → the closed union of connector errors. jsforce throws HttpApiError
// (`errorCode`, `message`, `data`) without the HTTP status, so the connector observes the status
// itself (see transport.ts) and passes it in. Per-record collection errors use the same table.
import type { ConnectorError } from '../result.ts';

/** The response the failing call ended on, as observed on the transport. */
export interface ObservedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
}

type Code = ConnectorError['code'];

// errorCode → code, for the codes whose meaning does not depend on the HTTP status.
const byErrorCode: Readonly<Record<string, Code>> = {
  INVALID_SESSION_ID: 'session_expired',
  NOT_FOUND: 'not_found',
  ENTITY_IS_DELETED: 'not_found',
  INSUFFICIENT_ACCESS: 'permission',
  INSUFFICIENT_ACCESS_OR_READONLY: 'permission',
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: 'permission',
  API_DISABLED_FOR_ORG: 'permission',
  API_CURRENTLY_DISABLED: 'permission',
  FUNCTIONALITY_NOT_ENABLED: 'permission',
  INSUFFICIENT_PRIVILEGES: 'permission',
  DUPLICATE_VALUE: 'duplicate',
  DUPLICATES_DETECTED: 'duplicate',
  DUPLICATE_EXTERNAL_ID: 'duplicate',
  MULTIPLE_CHOICES: 'duplicate',
  UNABLE_TO_LOCK_ROW: 'conflict',
  REQUEST_LIMIT_EXCEEDED: 'limit_exceeded',
  EXCEEDED_ID_LIMIT: 'limit_exceeded',
  STORAGE_LIMIT_EXCEEDED: 'limit_exceeded',
  TXN_SECURITY_NO_ACCESS: 'permission',
  SERVER_UNAVAILABLE: 'upstream',
  UNKNOWN_EXCEPTION: 'upstream',
  REQUEST_RUNNING_TOO_LONG: 'upstream',
};

// Node's and undici's codes for a connection that failed below HTTP.
const networkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

// The refresh-token grant's answers that mean the stored grant is gone for good.
const deadGrant =
  /expired access\/refresh token|invalid_grant|authentication failure|inactive user|revoked|No refresh token|invalid_client/i;

const DEFAULT_RETRY_AFTER_MS = 60_000;

const noApiAccess =
  'This Salesforce org does not allow API access: Tandem needs Enterprise, Unlimited, Performance ' +
  'or Developer Edition (or Professional Edition with API access) and a user with the "API Enabled" permission';

/**
 * Maps what a jsforce call threw to a connector error, or `undefined` when it is not an API
 * failure at all (a bug: the caller rethrows).
 */
export function mapSalesforceError(
  error: unknown,
  response: ObservedResponse | undefined,
  now: () => number = Date.now,
): ConnectorError | undefined {
  if (!(error instanceof Error)) return undefined;
  const apiError = asApiError(error);
  if (apiError) return fromApiError(apiError, response, now);

  // jsforce wraps a failed refresh: `Unable to refresh session due to: <error_description>`.
  if (error.message.startsWith('Unable to refresh session due to:')) {
    if (isNetworkError(error) || /fetch failed|ECONN|ETIMEDOUT/i.test(error.message))
      return { system: 'salesforce', code: 'upstream', message: error.message };
    return {
      system: 'salesforce',
      code: 'auth_failed',
      message: error.message,
      needsReconnect: deadGrant.test(error.message),
    };
  }
  // OAuth token endpoint errors (login, code exchange): `name` is the OAuth `error`.
  if (/^(invalid_grant|invalid_client_id|invalid_client|unauthorized_client)$/.test(error.name))
    return {
      system: 'salesforce',
      code: 'auth_failed',
      message: `${error.name}: ${error.message}`,
      upstreamCode: error.name,
      needsReconnect: true,
    };
  if (isNetworkError(error) || (error.name === 'AbortError' && /timeout/i.test(error.message)))
    return { system: 'salesforce', code: 'upstream', message: describeNetwork(error) };
  return undefined;
}

interface ApiError {
  readonly errorCode: string;
  readonly message: string;
  readonly data: unknown;
}

function asApiError(error: Error): ApiError | undefined {
  const candidate = error as Error & { errorCode?: unknown; data?: unknown };
  if (typeof candidate.errorCode !== 'string') return undefined;
  return { errorCode: candidate.errorCode, message: error.message, data: candidate.data };
}

function fromApiError(
  e: ApiError,
  response: ObservedResponse | undefined,
  now: () => number,
): ConnectorError {
  const status = response?.status ?? statusFromCode(e.errorCode);
  // MULTIPLE_API_ERRORS carries the array; its first entry decides.
  const first = Array.isArray(e.data) ? (e.data[0] as Record<string, unknown> | undefined) : e.data;
  const errorCode =
    e.errorCode === 'MULTIPLE_API_ERRORS' && first && typeof first === 'object'
      ? String((first as Record<string, unknown>)['errorCode'] ?? e.errorCode)
      : e.errorCode;
  const fields = fieldsOf(first);
  const firstMessage =
    e.errorCode === 'MULTIPLE_API_ERRORS' && first && typeof first === 'object'
      ? (first as Record<string, unknown>)['message']
      : undefined;
  const message = typeof firstMessage === 'string' ? firstMessage : e.message;
  const base = {
    system: 'salesforce' as const,
    message: errorCode === 'API_DISABLED_FOR_ORG' ? `${noApiAccess} (${message})` : message,
    upstreamCode: errorCode,
    ...(status === undefined ? {} : { status }),
  };

  if (status === 429 || errorCode === 'ERROR_HTTP_429')
    return { ...base, code: 'rate_limited', retryAfterMs: retryAfter(response, now) };
  const known = byErrorCode[errorCode];
  if (known) return build(known, base, errorCode, fields, e.data, response, now);
  if (status !== undefined) {
    if (status === 401) return { ...base, code: 'session_expired' };
    if (status === 403) return { ...base, code: 'permission' };
    if (status === 404) return { ...base, code: 'not_found' };
    if (status === 409) return { ...base, code: 'conflict' };
    if (status >= 500) return { ...base, code: 'upstream' };
  }
  // Everything else Salesforce refuses is about the input: REQUIRED_FIELD_MISSING,
  // INVALID_FIELD, STRING_TOO_LONG, MALFORMED_QUERY, CANNOT_UPDATE_CONVERTED_LEAD, …
  return { ...base, code: 'validation', errorCode, fields };
}

/** A per-record error of an sObject Collections answer (`statusCode` there, not `errorCode`). */
export function mapRecordError(error: {
  readonly statusCode?: string;
  readonly errorCode?: string;
  readonly message?: string;
  readonly fields?: readonly string[];
  readonly duplicateResult?: unknown;
}): ConnectorError {
  const errorCode = error.statusCode ?? error.errorCode ?? 'UNKNOWN';
  const message = error.message ?? errorCode;
  const fields = error.fields ?? [];
  const base = { system: 'salesforce' as const, message, upstreamCode: errorCode };
  const known = byErrorCode[errorCode];
  if (known) return build(known, base, errorCode, fields, error, undefined, Date.now);
  return { ...base, code: 'validation', errorCode, fields };
}

function build(
  code: Code,
  base: { system: 'salesforce'; message: string; upstreamCode: string; status?: number },
  errorCode: string,
  fields: readonly string[],
  data: unknown,
  response: ObservedResponse | undefined,
  now: () => number,
): ConnectorError {
  switch (code) {
    case 'validation':
      return { ...base, code, errorCode, fields };
    case 'duplicate':
      return { ...base, code, existingIds: duplicateIds(base.message, data) };
    case 'auth_failed':
      return { ...base, code, needsReconnect: false };
    case 'rate_limited':
      return { ...base, code, retryAfterMs: retryAfter(response, now) };
    default:
      return { ...base, code };
  }
}

function fieldsOf(data: unknown): readonly string[] {
  if (!data || typeof data !== 'object') return [];
  const fields = (data as { fields?: unknown }).fields;
  return Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [];
}

/**
 * The ids a duplicate error names: DUPLICATES_DETECTED's matchRecords, the id at the end of
 * DUPLICATE_VALUE's message, or the record URLs of a 300 answer to an upsert.
 */
export function duplicateIds(message: string, data: unknown): readonly string[] {
  const ids = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) {
        if (typeof v === 'string') {
          const m = /\/sobjects\/\w+\/([a-zA-Z0-9]{15,18})$/.exec(v);
          if (m?.[1]) ids.add(m[1]);
        } else visit(v);
      }
      return;
    }
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    const duplicate = record['duplicateResult'] as
      { matchResults?: { matchRecords?: { record?: { Id?: unknown } }[] }[] } | undefined;
    for (const match of duplicate?.matchResults ?? [])
      for (const r of match.matchRecords ?? [])
        if (typeof r.record?.Id === 'string') ids.add(r.record.Id);
  };
  visit(data);
  const m = /with id: ([a-zA-Z0-9]{15,18})/.exec(message);
  if (m?.[1]) ids.add(m[1]);
  return [...ids];
}

function statusFromCode(errorCode: string): number | undefined {
  const m = /^ERROR_HTTP_(\d{3})$/.exec(errorCode);
  return m ? Number(m[1]) : undefined;
}

function retryAfter(response: ObservedResponse | undefined, now: () => number): number {
  const header = response?.headers['retry-after'];
  if (header !== undefined) {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, at - now());
  }
  return DEFAULT_RETRY_AFTER_MS;
}

function isNetworkError(error: Error): boolean {
  const codes: unknown[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    codes.push((current as { code?: unknown }).code);
    current = (current as { cause?: unknown }).cause;
  }
  return (
    codes.some((c) => typeof c === 'string' && networkCodes.has(c)) ||
    (error instanceof TypeError && error.message === 'fetch failed')
  );
}

function describeNetwork(error: Error): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return `${error.message}${detail}`;
}
