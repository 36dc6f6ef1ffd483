// The REST layer works on plain request/response values, so that composite subrequests run
// through exactly the same handlers as top-level requests.
import { restError, type SaveError } from '../write/errors.ts';
import type { Actor } from '../write/tx.ts';

export interface RestRequest {
  readonly method: string;
  /** Path segments after `/services/data/vXX.X/`. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  /** Parsed JSON body, undefined when there is none. */
  readonly body: unknown;
  /** Raw text body (bulk CSV uploads). */
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly version: string;
  readonly actor: Actor;
}

export interface RestResponse {
  readonly status: number;
  /** JSON body; undefined for an empty body. */
  readonly body?: unknown;
  /** A non-JSON body (CSV). */
  readonly raw?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function ok(body: unknown, status = 200, headers?: Record<string, string>): RestResponse {
  return headers ? { status, body, headers } : { status, body };
}

export function noContent(): RestResponse {
  return { status: 204 };
}

export function errorResponse(
  status: number,
  errorCode: string,
  message: string,
  fields?: readonly string[],
): RestResponse {
  const item: Record<string, unknown> = { message, errorCode };
  if (fields) item['fields'] = fields;
  return { status, body: [item] };
}

export function saveErrorResponse(errors: readonly SaveError[]): RestResponse {
  const status = errors[0]?.status ?? 400;
  return { status, body: errors.map(restError) };
}

export const notFound = (): RestResponse =>
  errorResponse(404, 'NOT_FOUND', 'The requested resource does not exist');

export function methodNotAllowed(method: string, allowed: readonly string[]): RestResponse {
  return errorResponse(
    405,
    'METHOD_NOT_ALLOWED',
    `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`,
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
