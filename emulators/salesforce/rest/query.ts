// GET /query and /queryAll, and their cursors (/query/<locator>): batches of 2,000 by default,
// `Sforce-Query-Options: batchSize=N` from 200 to 2,000.
import type { EmulatorContext } from '../context.ts';
import { SoqlError } from '../soql/lexer.ts';
import { formatSoqlError } from '../soql/parser.ts';
import { runSoql, type QueryResult } from '../soql/execute.ts';
import type { Table } from '../store/table.ts';
import {
  errorResponse,
  methodNotAllowed,
  ok,
  type RestRequest,
  type RestResponse,
} from './types.ts';

const defaultBatch = 2000;

function batchSize(headers: Readonly<Record<string, string>>): number {
  const m = /batchSize\s*=\s*(\d+)/i.exec(headers['sforce-query-options'] ?? '');
  if (!m) return defaultBatch;
  const n = Number(m[1]);
  return n >= 200 && n <= 2000 ? n : defaultBatch;
}

export function soqlErrorResponse(text: string, error: SoqlError): RestResponse {
  return errorResponse(400, error.code, formatSoqlError(text, error.pos, error.message));
}

/** Runs a query for any caller (REST, composite, bulk); SoqlError when it is refused. */
export function runQuery(ctx: EmulatorContext, text: string, includeDeleted: boolean): QueryResult {
  return runSoql(ctx.org, text, { includeDeleted });
}

export function page(
  ctx: EmulatorContext,
  result: QueryResult,
  key: string | null,
  offset: number,
  size: number,
  version: string,
): Record<string, unknown> {
  const table = ctx.org.table(result.type.name) as Table;
  const slice = result.ids.slice(offset, offset + size);
  const records = slice
    .map((id) => {
      const row = table.get(id);
      return row ? result.project(row, version) : null;
    })
    .filter((r) => r !== null);
  const next = offset + slice.length;
  const done = next >= result.ids.length;
  const body: Record<string, unknown> = { totalSize: result.ids.length, done };
  if (!done && key) body['nextRecordsUrl'] = `/services/data/v${version}/query/${key}-${next}`;
  body['records'] = records;
  if (done && key) ctx.cursors.close(key);
  return body;
}

export function queryHandler(ctx: EmulatorContext, req: RestRequest, all: boolean): RestResponse {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return methodNotAllowed(req.method, ['HEAD', 'GET']);
  const locator = req.segments[1];
  if (locator !== undefined) {
    const found = ctx.cursors.resolve(locator);
    if (!found) return errorResponse(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return ok(
      page(ctx, found.cursor.result, found.key, found.offset, found.cursor.batchSize, req.version),
    );
  }
  const text = req.query.get('q');
  if (text === null || text.trim() === '') {
    return errorResponse(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  }
  let result: QueryResult;
  try {
    result = runQuery(ctx, text, all);
  } catch (error) {
    if (error instanceof SoqlError) return soqlErrorResponse(text, error);
    throw error;
  }
  return ok(firstPage(ctx, result, batchSize(req.headers), req.version));
}

export function firstPage(
  ctx: EmulatorContext,
  result: QueryResult,
  size: number,
  version: string,
): Record<string, unknown> {
  if (result.count !== null) return { totalSize: result.count, done: true, records: [] };
  if (result.aggregate !== null) return { totalSize: 1, done: true, records: [result.aggregate] };
  const key = result.ids.length > size ? ctx.cursors.open(result, size) : null;
  return page(ctx, result, key, 0, size, version);
}
