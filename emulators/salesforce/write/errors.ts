// Save errors as Salesforce reports them. One shape inside the emulator; the HTTP layer renders
// it with `errorCode` (top-level REST errors) or `statusCode` (per-record results).

export interface SaveError {
  readonly code: string;
  readonly message: string;
  readonly fields: readonly string[];
  /** Extra keys some errors carry (duplicateResult). */
  readonly extra?: Record<string, unknown>;
  /** HTTP status when this error is the answer to a single-record request. */
  readonly status?: number;
}

export type SaveResult =
  | { readonly ok: true; readonly id: string; readonly created: boolean }
  | { readonly ok: false; readonly errors: readonly SaveError[]; readonly id?: string };

export function fail(
  code: string,
  message: string,
  fields: readonly string[] = [],
  more: { status?: number; extra?: Record<string, unknown> } = {},
): SaveResult {
  return { ok: false, errors: [{ code, message, fields, ...more }] };
}

/** A top-level REST error item: `{message, errorCode, fields}`. */
export function restError(error: SaveError): Record<string, unknown> {
  return { message: error.message, errorCode: error.code, fields: error.fields, ...error.extra };
}

/** A per-record error item in collection results: `{statusCode, message, fields}`. */
export function recordError(error: SaveError): Record<string, unknown> {
  return { statusCode: error.code, message: error.message, fields: error.fields, ...error.extra };
}

export const rolledBack: SaveError = {
  code: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message:
    'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};
