// Expected failures are values (STYLE convention 3). Every connector call answers a Result whose
// error is one of a closed set of codes; what Tandem does with each is in docs/connectors.md.
// Anything outside the set (a TypeError, a malformed SOQL we built) is a bug and is thrown.

export type Result<T, E = ConnectorError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });
export const err = <E>(error: E): { readonly ok: false; readonly error: E } => ({
  ok: false,
  error,
});

export const connectorErrorCodes = [
  'rate_limited',
  'not_found',
  'auth_failed',
  'session_expired',
  'permission',
  'validation',
  'duplicate',
  'conflict',
  'limit_exceeded',
  'upstream',
] as const;
export type ConnectorErrorCode = (typeof connectorErrorCodes)[number];

export type SystemName = 'salesforce' | 'intercom';

/** What every error carries: which system, the HTTP status when there was one, the raw code. */
interface ErrorBase {
  readonly system: SystemName;
  readonly message: string;
  /** HTTP status of the failing response; absent for network failures and token errors. */
  readonly status?: number;
  /** The system's own code: Salesforce `errorCode`/`statusCode`, Intercom `errors[0].code`. */
  readonly upstreamCode?: string;
}

export type ConnectorError =
  | (ErrorBase & { readonly code: 'rate_limited'; readonly retryAfterMs: number })
  | (ErrorBase & { readonly code: 'not_found' })
  | (ErrorBase & {
      readonly code: 'auth_failed';
      /** The stored credentials cannot work again: a person must reconnect (revoked refresh token). */
      readonly needsReconnect: boolean;
    })
  | (ErrorBase & { readonly code: 'session_expired' })
  | (ErrorBase & { readonly code: 'permission' })
  | (ErrorBase & {
      readonly code: 'validation';
      /** Salesforce's errorCode (e.g. REQUIRED_FIELD_MISSING) or Intercom's error code. */
      readonly errorCode: string;
      readonly fields: readonly string[];
    })
  | (ErrorBase & {
      readonly code: 'duplicate';
      /** Ids of the records the new one would duplicate, when the system names them. */
      readonly existingIds: readonly string[];
    })
  | (ErrorBase & {
      readonly code: 'conflict';
      /** Intercom: the contact that already matches (parsed from `… with id=<id>`). */
      readonly existingId?: string;
    })
  | (ErrorBase & { readonly code: 'limit_exceeded' })
  | (ErrorBase & { readonly code: 'upstream' });

/** Codes worth retrying with the same input (after a wait or a refreshed session). */
export function isTransient(error: ConnectorError): boolean {
  return (
    error.code === 'rate_limited' ||
    error.code === 'upstream' ||
    error.code === 'session_expired' ||
    error.code === 'limit_exceeded' ||
    // Salesforce's row-lock conflicts clear by themselves; Intercom's 409 names an existing contact.
    (error.code === 'conflict' && error.existingId === undefined)
  );
}

/** The value of a Result, for places where a failure is a bug (tests, set-up scripts). */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  const e = result.error;
  throw new Error(`${e.system} ${e.code}: ${e.message}`);
}
