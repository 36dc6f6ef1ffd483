// Salesforce Bulk API 2.0 for reading and writing many records: query jobs read page by page,
// ingest jobs driven step by step so a caller can store the job id and survive a crash between
// steps (every method takes the job id, so a fresh connector reattaches).
//
// jsforce's `conn.bulk2` is not used: its query results break on a second locator page
// (jsforce#1546), its jobs cannot be polled with our own backoff or resumed at a locator, and
// `loadAndWaitForResults` hides the job id until it is done. Each call is one request through
// jsforce's HttpApi on the connection (so it carries the bearer token, `Sforce-Call-Options`,
// jsforce's session refresh, and the connector's observed transport: timeouts, `usage()`), and
// runs inside the connector's `api` wrapper (session, error mapping, hooks). HttpApi is used
// rather than `conn.request` because query pages need the `Sforce-Locator` response header.
import { setTimeout as sleep } from 'node:timers/promises';
import type jsforce from 'jsforce';
import type { Schema } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api.js';
import { err, isTransient, ok, type ConnectorError, type Result } from '../result.ts';
import {
  parseCsvRecords,
  toFailures,
  toIngestCsv,
  toSuccesses,
  type BulkRecord,
} from './bulk-csv.ts';
import type {
  BulkJobState,
  BulkJobStatus,
  BulkQueryOptions,
  BulkWaitOptions,
  SalesforceBulk,
} from './bulk-types.ts';
import { name as apiName } from './soql.ts';

export { bulkJobStates } from './bulk-types.ts';
export type {
  BulkIngestOperation,
  BulkIngestResults,
  BulkJobState,
  BulkJobStatus,
  BulkQueryOptions,
  BulkQueryPosition,
  BulkWaitOptions,
  SalesforceBulk,
} from './bulk-types.ts';

type Connection = InstanceType<typeof jsforce.Connection>;

/**
 * jsforce's HttpApi answering the raw text of a success (CSV pages; JSON parsed here), while
 * failures are still parsed by their content type into HttpApiError with Salesforce's errorCode.
 */
class RawHttpApi extends HttpApi<Schema> {
  override getResponseBody(response: { statusCode: number; body: string }): Promise<string> {
    return Promise.resolve(response.statusCode === 204 ? '' : response.body);
  }
}

export interface BulkDeps {
  readonly connection: Connection;
  /** The connector's wrapper: session, observed scope, error mapping. */
  readonly api: <T>(fn: () => Promise<T>) => Promise<Result<T>>;
}

interface RawResponse {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

interface RawJobInfo {
  readonly id: string;
  readonly state: BulkJobState;
  readonly object: string;
  readonly operation: string;
  readonly numberRecordsProcessed?: number;
  readonly numberRecordsFailed?: number;
  readonly errorMessage?: string | null;
}

const defaultMaxRecords = 10_000;
const defaultPollMs = 1_000;
const maxConsecutiveFailures = 5;

export function createBulk(deps: BulkDeps): SalesforceBulk {
  const conn = deps.connection;

  /** One request, raw: the body as text and the response headers. */
  async function send(
    method: string,
    path: string,
    body?: { readonly text: string; readonly contentType: string },
  ): Promise<RawResponse> {
    let headers: Readonly<Record<string, string>> = {};
    // The URL is built at send time: a session refresh may have moved the instance.
    const url = `${conn.instanceUrl}/services/data/v${conn.version}${path}`;
    const http = new RawHttpApi(conn, {});
    http.on('response', (response: { headers?: Record<string, string> }) => {
      headers = response.headers ?? {};
    });
    const text = await http.request<string>({
      method: method as 'GET',
      url,
      headers: body ? { 'content-type': body.contentType } : {},
      ...(body ? { body: body.text } : {}),
    });
    return { body: typeof text === 'string' ? text : '', headers };
  }

  const json = <T>(method: string, path: string, body?: unknown): Promise<Result<T>> =>
    api(async () => {
      const response = await send(
        method,
        path,
        body === undefined
          ? undefined
          : { text: JSON.stringify(body), contentType: 'application/json; charset=utf-8' },
      );
      return JSON.parse(response.body) as T;
    });

  /** The connector's wrapper, with job-state refusals made `validation` (retrying cannot help). */
  async function api<T>(fn: () => Promise<T>): Promise<Result<T>> {
    const result = await deps.api(fn);
    if (result.ok || result.error.upstreamCode !== 'INVALIDJOBSTATE') return result;
    const { system, message, upstreamCode } = result.error;
    return err({
      system,
      message,
      upstreamCode,
      ...(result.error.status === undefined ? {} : { status: result.error.status }),
      code: 'validation',
      errorCode: upstreamCode,
      fields: [],
    });
  }

  const jobPath = (kind: 'ingest' | 'query', jobId: string, sub = ''): string =>
    `/jobs/${kind}/${encodeURIComponent(jobId)}${sub}`;

  const status = (result: Result<RawJobInfo>): Result<BulkJobStatus> =>
    result.ok ? ok(toStatus(result.value)) : result;

  /** Polls until the job leaves UploadComplete/InProgress, waiting out transient failures. */
  async function waitFor(
    kind: 'ingest' | 'query',
    jobId: string,
    options: BulkWaitOptions,
  ): Promise<Result<BulkJobStatus>> {
    const first = options.pollMs ?? defaultPollMs;
    let delay = first;
    let failures = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const polled = status(await json<RawJobInfo>('GET', jobPath(kind, jobId)));
      if (polled.ok) {
        failures = 0;
        const state = polled.value.state;
        if (state !== 'UploadComplete' && state !== 'InProgress') return polled;
        await pause(delay, options.signal);
        delay = Math.min(delay * 1.5, first * 10);
        continue;
      }
      failures++;
      if (!isTransient(polled.error) || failures >= maxConsecutiveFailures) return polled;
      await pause(waitAfter(polled.error, delay), options.signal);
    }
  }

  /** One results page, retried on transient failures like a poll. */
  async function page(
    jobId: string,
    locator: string | undefined,
    maxRecords: number,
    options: BulkQueryOptions,
  ): Promise<Result<{ records: BulkRecord[]; next: string | null }>> {
    const query = new URLSearchParams({ maxRecords: String(maxRecords) });
    if (locator !== undefined) query.set('locator', locator);
    let failures = 0;
    let delay = options.pollMs ?? defaultPollMs;
    for (;;) {
      options.signal?.throwIfAborted();
      const result = await api(() =>
        send('GET', `${jobPath('query', jobId, '/results')}?${query}`),
      );
      if (result.ok) {
        const next = result.value.headers['sforce-locator'] ?? 'null';
        return ok({
          records: parseCsvRecords(result.value.body),
          next: next === 'null' || next === '' ? null : next,
        });
      }
      failures++;
      if (!isTransient(result.error) || failures >= maxConsecutiveFailures) return result;
      await pause(waitAfter(result.error, delay), options.signal);
      delay *= 1.5;
    }
  }

  return {
    async *bulkQuery(soql, options = {}) {
      const maxRecords = options.maxRecords ?? defaultMaxRecords;
      let jobId: string;
      let locator: string | undefined;
      if (options.resume) {
        jobId = options.resume.jobId;
        if (options.resume.nextLocator === null) return;
        locator = options.resume.nextLocator;
      } else {
        const created = await json<RawJobInfo>('POST', '/jobs/query', {
          operation: options.includeDeleted ? 'queryAll' : 'query',
          query: soql,
        });
        if (!created.ok) {
          yield created;
          return;
        }
        jobId = created.value.id;
      }
      const done = await waitFor('query', jobId, options);
      if (!done.ok) {
        yield done;
        return;
      }
      if (done.value.state !== 'JobComplete') {
        yield err(jobFailure(done.value));
        return;
      }
      for (;;) {
        const result = await page(jobId, locator, maxRecords, options);
        if (!result.ok) {
          yield result;
          return;
        }
        options.onPage?.({ jobId, nextLocator: result.value.next });
        yield ok(result.value.records);
        if (result.value.next === null) return;
        locator = result.value.next;
      }
    },

    async bulkIngestCreate(object, operation, options = {}) {
      if (operation === 'upsert' && options.externalIdField === undefined)
        throw new Error('a bulk upsert needs externalIdField');
      const created = await json<RawJobInfo>('POST', '/jobs/ingest', {
        object: apiName(object),
        operation,
        contentType: 'CSV',
        lineEnding: 'LF',
        columnDelimiter: 'COMMA',
        ...(options.externalIdField === undefined
          ? {}
          : { externalIdFieldName: apiName(options.externalIdField) }),
      });
      return created.ok ? ok({ id: created.value.id }) : created;
    },

    async bulkIngestUpload(jobId, records, columns) {
      const csv = toIngestCsv(records, columns.map(apiName));
      const result = await api(() =>
        send('PUT', jobPath('ingest', jobId, '/batches'), { text: csv, contentType: 'text/csv' }),
      );
      return result.ok ? ok(undefined) : result;
    },

    async bulkIngestClose(jobId) {
      return status(
        await json<RawJobInfo>('PATCH', jobPath('ingest', jobId), { state: 'UploadComplete' }),
      );
    },

    async bulkIngestAbort(jobId) {
      return status(
        await json<RawJobInfo>('PATCH', jobPath('ingest', jobId), { state: 'Aborted' }),
      );
    },

    async bulkIngestState(jobId) {
      return status(await json<RawJobInfo>('GET', jobPath('ingest', jobId)));
    },

    bulkIngestWait(jobId, options = {}) {
      return waitFor('ingest', jobId, options);
    },

    async bulkIngestResults(jobId) {
      const read = (sub: string) => api(() => send('GET', jobPath('ingest', jobId, sub)));
      const successful = await read('/successfulResults');
      if (!successful.ok) return successful;
      const failed = await read('/failedResults');
      if (!failed.ok) return failed;
      const unprocessed = await read('/unprocessedrecords');
      if (!unprocessed.ok) return unprocessed;
      return ok({
        successful: toSuccesses(successful.value.body),
        failed: toFailures(failed.value.body),
        unprocessed: parseCsvRecords(unprocessed.value.body),
      });
    },

    async count(object, where) {
      const soql = `SELECT COUNT() FROM ${apiName(object)}${where ? ` WHERE ${where}` : ''}`;
      const result = await json<{ totalSize: number }>(
        'GET',
        `/query?q=${encodeURIComponent(soql)}`,
      );
      return result.ok ? ok(result.value.totalSize) : result;
    },
  };
}

function toStatus(info: RawJobInfo): BulkJobStatus {
  return {
    id: info.id,
    state: info.state,
    object: info.object,
    operation: info.operation,
    processed: info.numberRecordsProcessed ?? 0,
    failed: info.numberRecordsFailed ?? 0,
    ...(info.errorMessage ? { errorMessage: info.errorMessage } : {}),
  };
}

/** A query job that ended without results: Failed (with Salesforce's reason) or Aborted. */
function jobFailure(job: BulkJobStatus): ConnectorError {
  return {
    system: 'salesforce',
    code: 'validation',
    errorCode: job.state === 'Aborted' ? 'JOB_ABORTED' : 'JOB_FAILED',
    fields: [],
    message: `bulk query job ${job.id} ended ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ''}`,
    upstreamCode: job.state,
  };
}

function waitAfter(error: ConnectorError, delay: number): number {
  // A rate limit says how long; waiting longer than a minute inside one call helps nobody.
  return error.code === 'rate_limited' ? Math.min(error.retryAfterMs, 60_000) : delay;
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await sleep(ms, undefined, signal ? { signal } : {});
}
