// Reading request bodies field by field, with Intercom's 400 errors for wrong types.
import { ApiError, badRequest } from './errors.ts';

export type Body = Record<string, unknown>;

export function asBody(raw: unknown): Body {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw badRequest('The request body must be a JSON object', 'parameter_invalid');
  return raw as Body;
}

/** Refuses fields the endpoint does not know, as the companies endpoint documents. */
export function onlyKnown(body: Body, known: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) throw new ApiError(400, 'bad_request', `bad '${key}' parameter`);
  }
}

const wrongType = (field: string, type: string) =>
  badRequest(`${field} must be a ${type}`, 'parameter_invalid', field);

export function optString(body: Body, field: string): string | null | undefined {
  const value = body[field];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') throw wrongType(field, 'string');
  return value;
}

export function optInteger(body: Body, field: string): number | null | undefined {
  const value = body[field];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(field, 'integer');
  return value;
}

export function optNumber(body: Body, field: string): number | null | undefined {
  const value = body[field];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(field, 'number');
  return value;
}

export function optBoolean(body: Body, field: string): boolean | null | undefined {
  const value = body[field];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'boolean') throw wrongType(field, 'boolean');
  return value;
}

export function reqString(body: Body, field: string): string {
  const value = optString(body, field);
  if (value === undefined || value === null || value === '')
    throw badRequest(`${field} is required`, 'parameter_not_found', field);
  return value;
}

export function optObject(body: Body, field: string): Body | null | undefined {
  const value = body[field];
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(field, 'object');
  return value as Body;
}

/** An id given as a string or a number (the SDK types some ids as either). */
export function optId(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value !== 'string') throw wrongType(field, 'string');
  return value;
}

const maxPerPage = 150;

/** per_page from a query string or body: at most 150. */
export function perPage(raw: unknown, fallback: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw badRequest('per_page must be a positive integer', 'parameter_invalid', 'per_page');
  if (value > maxPerPage)
    throw badRequest(`per_page must be ${maxPerPage} or fewer`, 'parameter_invalid', 'per_page');
  return value;
}

export function pageNumber(raw: string | null): number {
  if (raw === null || raw === '') return 1;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw badRequest('page must be a positive integer', 'parameter_invalid', 'page');
  return value;
}

/** Opaque cursors, as Intercom's ("WzE3…" is base64 JSON): here the sort key of the last item. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(raw: unknown): (string | number)[] | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string')
    throw badRequest('starting_after must be a string', 'parameter_invalid');
  try {
    const key: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.every((part) => typeof part === 'string' || typeof part === 'number')
    )
      return key as (string | number)[];
  } catch {
    // fall through to the error below
  }
  throw badRequest('starting_after is not a valid cursor', 'parameter_invalid', 'starting_after');
}
