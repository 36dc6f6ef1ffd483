// Bulk API 2.0: ingest jobs (create, upload CSV, UploadComplete, results as CSV) and query jobs
// (results paged with Sforce-Locator, the last page answering the literal `null`), processed in
// the background after a short delay, as the real service does.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { transact, type EmulatorContext } from '../context.ts';
import { makeId } from '../ids.ts';
import { SoqlError } from '../soql/lexer.ts';
import { formatSoqlError } from '../soql/parser.ts';
import { runSoql, type QueryResult } from '../soql/execute.ts';
import type { Row, Table } from '../store/table.ts';
import { formatDateTime } from '../store/values.ts';
import type { SaveResult } from '../write/errors.ts';
import type { Actor } from '../write/tx.ts';
import { isRecord, methodNotAllowed, type RestRequest, type RestResponse } from '../rest/types.ts';

type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
const ingestOperations: readonly string[] = ['insert', 'update', 'upsert', 'delete', 'hardDelete'];
const delimiters: Record<string, string> = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
};

interface JobBase {
  readonly id: string;
  readonly object: string;
  readonly createdById: string;
  readonly createdDate: string;
  systemModstamp: string;
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  readonly apiVersion: string;
  errorMessage: string | null;
  numberRecordsProcessed: number;
  totalProcessingTime: number;
  readonly actor: Actor;
}

interface IngestJob extends JobBase {
  readonly kind: 'ingest';
  readonly operation: IngestOperation;
  readonly externalIdFieldName: string | null;
  readonly lineEnding: 'LF' | 'CRLF';
  readonly columnDelimiter: string;
  csv: string;
  numberRecordsFailed: number;
  successful: string[][];
  failed: string[][];
  unprocessed: string[][];
  header: string[];
}

interface QueryJob extends JobBase {
  readonly kind: 'query';
  readonly operation: 'query' | 'queryAll';
  readonly query: string;
  rows: string[][];
  header: string[];
}

type Job = IngestJob | QueryJob;

const json = (status: number, body: unknown): RestResponse => ({ status, body });
const bulkError = (status: number, errorCode: string, message: string): RestResponse =>
  json(status, [{ errorCode, message }]);

export class BulkService {
  readonly #ctx: EmulatorContext;
  readonly #delayMs: number;
  readonly #jobs = new Map<string, Job>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #counter = 0;

  constructor(ctx: EmulatorContext, options: { delayMs: number }) {
    this.#ctx = ctx;
    this.#delayMs = options.delayMs;
  }

  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#jobs.clear();
  }

  async handle(_ctx: EmulatorContext, req: RestRequest): Promise<RestResponse> {
    const [, kind, id, sub] = req.segments;
    if (kind !== 'ingest' && kind !== 'query')
      return bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (id === undefined) {
      if (req.method === 'POST')
        return kind === 'ingest' ? this.#createIngest(req) : this.#createQuery(req);
      if (req.method === 'GET') return this.#list(kind);
      return methodNotAllowed(req.method, ['GET', 'POST']);
    }
    const job = this.#jobs.get(id);
    if (!job || job.kind !== kind)
      return bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (sub === undefined) {
      if (req.method === 'GET') return json(200, this.#info(job));
      if (req.method === 'PATCH') return this.#changeState(job, req);
      if (req.method === 'DELETE') {
        if (job.state === 'UploadComplete' || job.state === 'InProgress') {
          return bulkError(400, 'INVALIDJOBSTATE', `Job in state ${job.state} cannot be deleted`);
        }
        this.#jobs.delete(job.id);
        return { status: 204 };
      }
      return methodNotAllowed(req.method, ['GET', 'PATCH', 'DELETE']);
    }
    if (job.kind === 'ingest') {
      if (sub === 'batches') {
        if (req.method !== 'PUT') return methodNotAllowed(req.method, ['PUT']);
        if (job.state !== 'Open')
          return bulkError(
            409,
            'INVALIDJOBSTATE',
            `Job ${job.id} is not open for uploads (state ${job.state})`,
          );
        job.csv += job.csv === '' ? req.text : req.text.replace(/^[^\n]*\n/, '');
        return { status: 201 };
      }
      if (req.method !== 'GET') return methodNotAllowed(req.method, ['GET']);
      if (sub === 'successfulResults')
        return this.#csv([['sf__Id', 'sf__Created', ...job.header], ...job.successful]);
      if (sub === 'failedResults')
        return this.#csv([['sf__Id', 'sf__Error', ...job.header], ...job.failed]);
      if (sub === 'unprocessedrecords') return this.#csv([job.header, ...job.unprocessed]);
      return bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    if (sub !== 'results')
      return bulkError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (req.method !== 'GET') return methodNotAllowed(req.method, ['GET']);
    if (req.version !== job.apiVersion) {
      return bulkError(
        409,
        'INVALIDJOBSTATE',
        `The job was created with API version ${job.apiVersion}; read its results with the same version`,
      );
    }
    if (job.state !== 'JobComplete')
      return bulkError(
        412,
        'JOB_NOT_COMPLETE',
        `Job ${job.id} is not complete (state ${job.state})`,
      );
    return this.#resultsPage(job, req);
  }

  #list(kind: 'ingest' | 'query'): RestResponse {
    const records = [...this.#jobs.values()]
      .filter((j) => j.kind === kind)
      .map((j) => this.#info(j));
    return json(200, { done: true, records, nextRecordsUrl: null });
  }

  #newJob(req: RestRequest, object: string): JobBase {
    this.#counter++;
    const stamp = formatDateTime(this.#ctx.org.now());
    return {
      id: makeId('750', this.#counter),
      object,
      createdById: req.actor.userId,
      createdDate: stamp,
      systemModstamp: stamp,
      state: 'Open',
      apiVersion: req.version,
      errorMessage: null,
      numberRecordsProcessed: 0,
      totalProcessingTime: 0,
      actor: { ...req.actor, origin: req.actor.origin.replace('/api/rest/', '/api/bulkapi/') },
    };
  }

  #createIngest(req: RestRequest): RestResponse {
    const body = req.body;
    if (!isRecord(body))
      return bulkError(400, 'InvalidJob', 'The request body must be a JSON object');
    const operation = String(body['operation'] ?? '');
    if (!ingestOperations.includes(operation))
      return bulkError(400, 'InvalidJob', `InvalidJob : Invalid operation: ${operation}`);
    const table = this.#ctx.org.table(String(body['object'] ?? ''));
    if (!table)
      return bulkError(
        400,
        'INVALIDENTITY',
        `sObject type '${String(body['object'])}' is not supported.`,
      );
    const ext =
      typeof body['externalIdFieldName'] === 'string' ? body['externalIdFieldName'] : null;
    if (operation === 'upsert') {
      const field = ext ? table.type.field(ext) : undefined;
      if (!field || !(field.externalId || field.idLookup)) {
        return bulkError(
          400,
          'InvalidJob',
          `InvalidJob : External ID was blank or not an external ID field: ${ext ?? ''}`,
        );
      }
    }
    const delimiter = String(body['columnDelimiter'] ?? 'COMMA');
    if (!delimiters[delimiter])
      return bulkError(400, 'InvalidJob', `InvalidJob : Invalid column delimiter: ${delimiter}`);
    const job: IngestJob = {
      ...this.#newJob(req, table.type.name),
      kind: 'ingest',
      operation: operation as IngestOperation,
      externalIdFieldName: ext,
      lineEnding: body['lineEnding'] === 'CRLF' ? 'CRLF' : 'LF',
      columnDelimiter: delimiter,
      csv: '',
      numberRecordsFailed: 0,
      successful: [],
      failed: [],
      unprocessed: [],
      header: [],
    };
    this.#jobs.set(job.id, job);
    return json(200, this.#info(job));
  }

  #createQuery(req: RestRequest): RestResponse {
    const body = req.body;
    if (!isRecord(body) || typeof body['query'] !== 'string')
      return bulkError(400, 'INVALIDJOB', 'The request body must carry a query');
    const operation = body['operation'] === 'queryAll' ? 'queryAll' : 'query';
    const text = body['query'];
    let result: QueryResult;
    try {
      result = runSoql(this.#ctx.org, text, { includeDeleted: operation === 'queryAll' });
    } catch (error) {
      if (error instanceof SoqlError)
        return bulkError(400, error.code, formatSoqlError(text, error.pos, error.message));
      throw error;
    }
    if (result.count !== null || result.aggregate !== null) {
      return bulkError(
        400,
        'INVALIDJOB',
        'Aggregate queries are not supported by Bulk API 2.0 query jobs',
      );
    }
    const job: QueryJob = {
      ...this.#newJob(req, result.type.name),
      kind: 'query',
      operation,
      query: text,
      rows: [],
      header: [],
    };
    job.state = 'UploadComplete';
    this.#jobs.set(job.id, job);
    this.#schedule(job, () => this.#runQuery(job));
    return json(200, this.#info(job));
  }

  #changeState(job: Job, req: RestRequest): RestResponse {
    const state = isRecord(req.body) ? req.body['state'] : undefined;
    if (state === 'Aborted') {
      if (job.state === 'JobComplete' || job.state === 'Failed')
        return bulkError(400, 'INVALIDJOBSTATE', `Job in state ${job.state} cannot be aborted`);
      job.state = 'Aborted';
      return json(200, this.#info(job));
    }
    if (state === 'UploadComplete' && job.kind === 'ingest') {
      if (job.state !== 'Open')
        return bulkError(409, 'INVALIDJOBSTATE', `Job in state ${job.state} cannot be closed`);
      job.state = 'UploadComplete';
      this.#schedule(job, () => this.#runIngest(job));
      return json(200, this.#info(job));
    }
    return bulkError(400, 'INVALIDJOBSTATE', `Invalid state change to ${String(state)}`);
  }

  #schedule(job: Job, work: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (job.state !== 'UploadComplete') return;
      job.state = 'InProgress';
      const started = Date.now();
      try {
        work();
        if (job.state === 'InProgress') job.state = 'JobComplete';
      } catch (error) {
        job.state = 'Failed';
        job.errorMessage = error instanceof Error ? error.message : String(error);
      }
      job.totalProcessingTime = Date.now() - started;
      job.systemModstamp = formatDateTime(this.#ctx.org.now());
    }, this.#delayMs);
    this.#timers.add(timer);
  }

  #runIngest(job: IngestJob): void {
    if (job.csv.trim() === '') {
      job.state = 'Failed';
      job.errorMessage = 'InvalidBatch : Records not found';
      return;
    }
    const rows = parse(job.csv, {
      delimiter: delimiters[job.columnDelimiter] ?? ',',
      relax_column_count: false,
      skip_empty_lines: true,
    }) as string[][];
    const header = rows.shift() ?? [];
    job.header = header;
    const table = this.#ctx.org.table(job.object) as Table;
    for (const cells of rows) {
      const result = this.#ingestRow(job, table, header, cells);
      job.numberRecordsProcessed++;
      if (result.ok) job.successful.push([result.id, String(result.created), ...cells]);
      else {
        job.numberRecordsFailed++;
        const e = result.errors[0];
        job.failed.push([
          '',
          `${e?.code ?? 'UNKNOWN_EXCEPTION'}:${e?.message ?? ''}:${(e?.fields ?? []).join(',')} --`,
          ...cells,
        ]);
      }
    }
  }

  #ingestRow(
    job: IngestJob,
    table: Table,
    header: readonly string[],
    cells: readonly string[],
  ): SaveResult {
    const body: Record<string, unknown> = {};
    let id: string | null = null;
    header.forEach((column, i) => {
      const cell = cells[i] ?? '';
      if (column.toLowerCase() === 'id') {
        if (cell !== '') id = cell;
        return;
      }
      if (cell === '') return; // an empty cell leaves the field as it is
      body[column] = cell === '#N/A' ? null : cell;
    });
    const writer = this.#ctx.writer;
    const actor = job.actor;
    return transact(
      this.#ctx.org,
      (tx): SaveResult => {
        switch (job.operation) {
          case 'insert':
            return writer.create(tx, actor, table.type.name, body);
          case 'update':
            if (!id)
              return {
                ok: false,
                errors: [
                  {
                    code: 'MISSING_ARGUMENT',
                    message: 'Id not specified in an update call',
                    fields: [],
                  },
                ],
              };
            return writer.update(tx, actor, table.type.name, id, body);
          case 'delete':
          case 'hardDelete':
            if (!id)
              return {
                ok: false,
                errors: [
                  {
                    code: 'MISSING_ARGUMENT',
                    message: 'Id not specified in a delete call',
                    fields: [],
                  },
                ],
              };
            return writer.delete(tx, actor, table.type.name, id);
          case 'upsert': {
            const ext = job.externalIdFieldName as string;
            const key = Object.keys(body).find((k) => k.toLowerCase() === ext.toLowerCase());
            const value =
              key !== undefined ? body[key] : ext.toLowerCase() === 'id' ? id : undefined;
            if (value === undefined || value === null) {
              return ext.toLowerCase() === 'id'
                ? writer.create(tx, actor, table.type.name, body)
                : {
                    ok: false,
                    errors: [
                      { code: 'MISSING_ARGUMENT', message: `${ext} not specified`, fields: [] },
                    ],
                  };
            }
            const result = writer.upsert(tx, actor, table.type.name, ext, String(value), body);
            if (!result.ok && 'multiple' in result) {
              return {
                ok: false,
                errors: [
                  {
                    code: 'DUPLICATE_EXTERNAL_ID',
                    message: `${ext}: more than one record found for external id field: [${result.multiple.join(', ')}]`,
                    fields: [],
                  },
                ],
              };
            }
            return result;
          }
        }
      },
      (r) => r.ok,
    );
  }

  #runQuery(job: QueryJob): void {
    const result = runSoql(this.#ctx.org, job.query, {
      includeDeleted: job.operation === 'queryAll',
    });
    const table = this.#ctx.org.table(result.type.name) as Table;
    job.header = [...result.columns];
    job.rows = result.ids.map((id) => {
      const record = result.project(table.get(id) as Row, job.apiVersion);
      return job.header.map((path) =>
        csvValue(path.split('.').reduce<unknown>((v, k) => (isRecord(v) ? v[k] : null), record)),
      );
    });
    job.numberRecordsProcessed = job.rows.length;
  }

  #resultsPage(job: QueryJob, req: RestRequest): RestResponse {
    const offset = Number(req.query.get('locator') ?? '0') || 0;
    const max = Number(req.query.get('maxRecords') ?? '0');
    // One page unless maxRecords asks for smaller ones: jsforce breaks on several (jsforce#1546).
    const size = max > 0 ? max : job.rows.length || 1;
    const page = job.rows.slice(offset, offset + size);
    const next = offset + page.length < job.rows.length ? String(offset + page.length) : 'null';
    return {
      status: 200,
      raw: stringify([job.header, ...page]),
      contentType: 'text/csv',
      headers: { 'Sforce-Locator': next, 'Sforce-NumberOfRecords': String(page.length) },
    };
  }

  #csv(rows: string[][]): RestResponse {
    return { status: 200, raw: stringify(rows, { quoted: true }), contentType: 'text/csv' };
  }

  #info(job: Job): Record<string, unknown> {
    const common = {
      id: job.id,
      operation: job.operation,
      object: job.object,
      createdById: job.createdById,
      createdDate: job.createdDate,
      systemModstamp: job.systemModstamp,
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(job.apiVersion),
    };
    if (job.kind === 'query') {
      return {
        ...common,
        jobType: 'V2Query',
        lineEnding: 'LF',
        columnDelimiter: 'COMMA',
        numberRecordsProcessed: job.numberRecordsProcessed,
        retries: 0,
        totalProcessingTime: job.totalProcessingTime,
        ...(job.state === 'Failed' ? { errorMessage: job.errorMessage } : {}),
      };
    }
    return {
      ...common,
      ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
      contentUrl: `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`,
      lineEnding: job.lineEnding,
      columnDelimiter: job.columnDelimiter,
      jobType: 'V2Ingest',
      numberRecordsProcessed: job.numberRecordsProcessed,
      numberRecordsFailed: job.numberRecordsFailed,
      retries: 0,
      totalProcessingTime: job.totalProcessingTime,
      apiActiveProcessingTime: job.totalProcessingTime,
      apexProcessingTime: 0,
      ...(job.state === 'Failed' ? { errorMessage: job.errorMessage } : {}),
    };
  }
}

const restDateTime = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})\+0000$/;

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  // Bulk results write datetimes as ISO with Z (`2026-01-31T12:00:00.000Z`), not REST's +0000.
  if (typeof value === 'string') return value.replace(restDateTime, '$1Z');
  return String(value);
}
