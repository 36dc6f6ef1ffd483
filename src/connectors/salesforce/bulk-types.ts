// The public shapes of the Salesforce connector's Bulk API 2.0 part (implemented in bulk.ts).
import type { Result } from '../result.ts';
import type { BulkFailure, BulkRecord, BulkSuccess } from './bulk-csv.ts';
import type { WritableRecord } from './types.ts';

export const bulkJobStates = [
  'Open',
  'UploadComplete',
  'InProgress',
  'JobComplete',
  'Failed',
  'Aborted',
] as const;
export type BulkJobState = (typeof bulkJobStates)[number];

export type BulkIngestOperation = 'insert' | 'update' | 'upsert';

export interface BulkJobStatus {
  readonly id: string;
  readonly state: BulkJobState;
  readonly object: string;
  readonly operation: string;
  /** Rows processed so far (successful and failed). */
  readonly processed: number;
  readonly failed: number;
  /** Why a Failed job failed, when Salesforce says. */
  readonly errorMessage?: string;
}

export interface BulkIngestResults {
  readonly successful: BulkSuccess[];
  readonly failed: BulkFailure[];
  /** Rows the job never reached (it was aborted or failed). */
  readonly unprocessed: BulkRecord[];
}

/** Where a bulk query stands: the job, and the locator of the next page (null: no more pages). */
export interface BulkQueryPosition {
  readonly jobId: string;
  readonly nextLocator: string | null;
}

export interface BulkQueryOptions {
  /** `queryAll`: deleted and archived rows too. */
  readonly includeDeleted?: boolean;
  /** Rows a page (`maxRecords`); default 10,000. Each page is one API call. */
  readonly maxRecords?: number;
  /** First wait between job polls, growing ×1.5 to 10× it; default 1,000 ms. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** Reads an existing job from `nextLocator` on instead of creating one (the soql is then unused). */
  readonly resume?: BulkQueryPosition;
  /**
   * Called before each page is yielded with the position after it: store it once the page is
   * processed, and pass it as `resume` to go on from there after a restart.
   */
  readonly onPage?: (position: BulkQueryPosition) => void;
}

export interface BulkWaitOptions {
  readonly signal?: AbortSignal;
  /** First wait between polls, growing ×1.5 to 10× it; default 1,000 ms. */
  readonly pollMs?: number;
}

/** The Bulk API 2.0 part of the Salesforce connector (see docs/connectors.md, "Bulk API 2.0"). */
export interface SalesforceBulk {
  /**
   * A query job, polled until JobComplete, then its results page by page (one array a page, only
   * the current page held). Values are strings as Salesforce writes them in CSV (numbers,
   * booleans `true`/`false`, datetimes `2026-01-31T12:00:00.000Z`), empty cells null; parent
   * fields are flat keys (`Owner.Email`). Convert with the object's describe. An error ends it.
   */
  bulkQuery(
    soql: string,
    options?: BulkQueryOptions,
  ): AsyncGenerator<Result<BulkRecord[]>, void, undefined>;
  /** Creates an ingest job (Open); store its id before uploading. */
  bulkIngestCreate(
    object: string,
    operation: BulkIngestOperation,
    options?: { readonly externalIdField?: string },
  ): Promise<Result<{ readonly id: string }>>;
  /**
   * Uploads the job's data, once per job (Bulk 2.0 takes one upload of at most 150 MB; keep a
   * job to some 10,000 records). `null` blanks a field, an absent value leaves it alone.
   */
  bulkIngestUpload(
    jobId: string,
    records: readonly WritableRecord[],
    columns: readonly string[],
  ): Promise<Result<void>>;
  /** UploadComplete: Salesforce starts processing. */
  bulkIngestClose(jobId: string): Promise<Result<BulkJobStatus>>;
  bulkIngestAbort(jobId: string): Promise<Result<BulkJobStatus>>;
  bulkIngestState(jobId: string): Promise<Result<BulkJobStatus>>;
  /**
   * Polls with backoff until the job leaves UploadComplete/InProgress (JobComplete, Failed,
   * Aborted, or Open for a job never closed). Transient failures of a poll are waited out (up to
   * five in a row). An aborted signal rejects (AbortError).
   */
  bulkIngestWait(jobId: string, options?: BulkWaitOptions): Promise<Result<BulkJobStatus>>;
  /** Successful, failed and unprocessed rows of a finished job, each with its uploaded columns. */
  bulkIngestResults(jobId: string): Promise<Result<BulkIngestResults>>;
  /** `SELECT COUNT() FROM object [WHERE …]` (the where clause is SOQL the caller built safely). */
  count(object: string, where?: string): Promise<Result<number>>;
}
