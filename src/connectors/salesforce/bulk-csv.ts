// The CSV side of Bulk API 2.0, pure: what Tandem uploads to an ingest job and how it reads query
// pages and ingest results back. Bulk 2.0 writes a null as an empty cell and blanks a field only
// when the uploaded cell is `#N/A` (an empty cell leaves the field as it is).
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** One CSV row read back: every value a string as Salesforce wrote it, an empty cell as null. */
export type BulkRecord = Readonly<Record<string, string | null>>;

/** The marker that blanks a field in an ingest upload. */
export const blankMarker = '#N/A';

/**
 * The upload body of an ingest job: a header of `columns`, then one row per record. `null` blanks
 * the field (`#N/A`), an absent value leaves it alone (empty cell), booleans are `true`/`false`,
 * dates ISO 8601. An object or array value is a bug (Bulk 2.0 has no compound cells): it throws.
 */
export function toIngestCsv(
  records: readonly Readonly<Record<string, unknown>>[],
  columns: readonly string[],
): string {
  if (columns.length === 0) throw new Error('a bulk upload needs at least one column');
  const rows = records.map((record) => columns.map((column) => cell(record[column], column)));
  return stringify([[...columns], ...rows], { record_delimiter: 'unix' });
}

function cell(value: unknown, column: string): string {
  if (value === null) return blankMarker;
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString();
  throw new Error(`bulk upload: column ${column} holds a ${typeof value}, not a CSV value`);
}

/**
 * Rows of a CSV answer as records keyed by the header, empty cells as null. An empty body (some
 * result endpoints answer nothing when there are no rows) is no rows. Empty lines are kept: in a
 * one-column result an empty line is a row whose value is null.
 */
export function parseCsvRecords(text: string): BulkRecord[] {
  if (text.trim() === '') return [];
  const rows = parse(text, { relax_quotes: false, skip_empty_lines: false }) as string[][];
  const header = rows.shift() ?? [];
  return rows.map((cells) => {
    const record: Record<string, string | null> = {};
    header.forEach((column, i) => {
      const value = cells[i] ?? '';
      record[column] = value === '' ? null : value;
    });
    return record;
  });
}

/** A failed ingest row's `sf__Error`, taken apart. */
export interface BulkRowError {
  /** The text as Salesforce wrote it. */
  readonly error: string;
  readonly errorCode: string;
  readonly message: string;
  readonly fields: string[];
}

/**
 * `sf__Error` is `<CODE>:<message>:<fields> --`, e.g.
 * `REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --`, or
 * `INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--` naming no field. The message may
 * itself hold colons, so the code ends at the first colon and, when the text ends with `--`, the
 * field list starts after the last one. Without the `--` (seen in older answers) only a tail that
 * looks like field names is taken as fields; a missing-fields message names them in brackets.
 */
export function parseBulkError(text: string): BulkRowError {
  const marked = /--\s*$/.test(text);
  const body = text.replace(/\s*--\s*$/, '');
  const first = body.indexOf(':');
  if (first < 0)
    return { error: text, errorCode: body || 'UNKNOWN_EXCEPTION', message: body, fields: [] };
  const errorCode = body.slice(0, first);
  const rest = body.slice(first + 1);
  const last = rest.lastIndexOf(':');
  const tail = last < 0 ? '' : rest.slice(last + 1).trim();
  const isFieldList =
    last >= 0 && (marked || /^[A-Za-z0-9_.]+(\s*,\s*[A-Za-z0-9_.]+)*$/.test(tail));
  const message = isFieldList ? rest.slice(0, last) : rest;
  let fields = isFieldList && tail !== '' ? tail.split(/[\s,]+/).filter(Boolean) : [];
  if (fields.length === 0) {
    const named = /Required fields are missing: \[([^\]]*)\]/.exec(message);
    if (named?.[1]) fields = named[1].split(/[\s,]+/).filter(Boolean);
  }
  return { error: text, errorCode, message, fields };
}

export interface BulkSuccess {
  readonly id: string;
  readonly created: boolean;
  /** The uploaded columns of the row, as uploaded (an empty cell as null). */
  readonly record: BulkRecord;
}

export interface BulkFailure extends BulkRowError {
  /** The record's id when Salesforce names it (updates, upserts that matched; API 53+). */
  readonly id?: string;
  readonly record: BulkRecord;
}

/** `successfulResults`: `sf__Id`, `sf__Created`, then the uploaded columns. */
export function toSuccesses(text: string): BulkSuccess[] {
  return parseCsvRecords(text).map((row) => {
    const { sf__Id: id, sf__Created: created, ...record } = row;
    if (!id) throw new Error('Salesforce answered a successful bulk row without sf__Id');
    return { id, created: created === 'true', record };
  });
}

/** `failedResults`: `sf__Id` (may be empty), `sf__Error`, then the uploaded columns. */
export function toFailures(text: string): BulkFailure[] {
  return parseCsvRecords(text).map((row) => {
    const { sf__Id: id, sf__Error: error, ...record } = row;
    return { ...parseBulkError(error ?? ''), ...(id ? { id } : {}), record };
  });
}
