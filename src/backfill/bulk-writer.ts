// The bulk writer: the Salesforce writes of one backfill chunk, gathered until every record of
// the chunk has either asked for its write or finished without one, then sent as Bulk API 2.0
// ingest jobs (one per operation, object and external-ID field). Each caller gets its own
// record's Result back, as from the collections batcher, so the sync's apply step runs
// unchanged. The id of every job is stored (`remember`) before its data is uploaded: a backfill
// that dies while a job runs reads that job's results on resume instead of writing again.
import {
  err,
  ok,
  type ConnectorError,
  type Result,
  type Saved,
  type Upserted,
  type WritableRecord,
} from '../connectors/index.ts';
import type { SalesforceWriter } from '../sync/salesforce-batcher.ts';

type Operation = 'insert' | 'update' | 'upsert';

/** First wait between polls of a running ingest job (each poll is an API call; it grows ×1.5). */
const waitPollMs = 250;
type Row = Readonly<Record<string, string | null>>;
type Failed = Result<never>;

export interface IngestResults {
  readonly successful: readonly {
    readonly id: string;
    readonly created: boolean;
    readonly record: Row;
  }[];
  readonly failed: readonly {
    readonly errorCode: string;
    readonly message: string;
    readonly fields: readonly string[];
    readonly record: Row;
  }[];
  readonly unprocessed: readonly Row[];
}

export type IngestState =
  'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/** The Bulk API 2.0 ingest steps the writer needs (the Salesforce connector's). */
export interface BulkIngest {
  bulkIngestCreate(
    object: string,
    operation: Operation,
    options?: { externalIdField?: string },
  ): Promise<Result<{ readonly id: string }>>;
  bulkIngestUpload(
    jobId: string,
    records: readonly WritableRecord[],
    columns: readonly string[],
  ): Promise<Result<unknown>>;
  bulkIngestClose(jobId: string): Promise<Result<unknown>>;
  bulkIngestAbort(jobId: string): Promise<Result<unknown>>;
  bulkIngestState(jobId: string): Promise<Result<{ readonly state: IngestState }>>;
  bulkIngestWait(
    jobId: string,
    options?: { signal?: AbortSignal; pollMs?: number },
  ): Promise<Result<{ readonly state: IngestState }>>;
  bulkIngestResults(jobId: string): Promise<Result<IngestResults>>;
}

export const canBulkIngest = (connector: object): connector is BulkIngest =>
  typeof (connector as Partial<BulkIngest>).bulkIngestCreate === 'function';

/** A job of an earlier attempt at the same chunk. */
export interface KnownJob {
  readonly key: string;
  readonly id: string;
}

export interface BulkWriterOptions {
  readonly connector: BulkIngest;
  /** Records of the chunk: the writer sends once each has written or finished. */
  readonly records: number;
  /** Jobs an interrupted attempt at this chunk started. */
  readonly known: readonly KnownJob[];
  /** Stores a job's id before its data is uploaded. */
  remember(job: KnownJob): Promise<void>;
  readonly signal?: AbortSignal;
}

/** One record's view: its single write, and `finish` once it is done (written or not). */
export interface RecordWriter extends SalesforceWriter {
  finish(): void;
}

interface Waiting {
  readonly record: WritableRecord;
  readonly key: string;
  resolve(result: Result<Saved | Upserted>): void;
}

interface Group {
  readonly object: string;
  readonly operation: Operation;
  readonly externalIdField: string | undefined;
  readonly waiting: Waiting[];
}

/** What identifies a row in the results: its uploaded values, in column order. */
function rowKey(columns: readonly string[], record: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(
    columns.map((column) => {
      const value = record[column];
      return value === null || value === undefined || value === '' || value === '#N/A'
        ? null
        : String(value);
    }),
  );
}

export function createBulkWriter(options: BulkWriterOptions): {
  forRecord(): RecordWriter;
  /** Resolves when every gathered write has its answer. */
  settled(): Promise<void>;
} {
  const groups = new Map<string, Group>();
  let arrived = 0;
  let sending: Promise<void> | undefined;

  const arrive = () => {
    arrived += 1;
    if (arrived === options.records) sending = sendAll();
  };

  async function sendAll(): Promise<void> {
    await Promise.all([...groups.entries()].map(([key, group]) => send(key, group)));
  }

  async function send(key: string, group: Group): Promise<void> {
    const columns = [...new Set(group.waiting.flatMap((w) => Object.keys(w.record)))].sort();
    const answer = (result: Result<IngestResults> | Failed) => {
      if (!result.ok) {
        for (const w of group.waiting) w.resolve(result);
        return;
      }
      const byKey = new Map<string, Result<Saved | Upserted>[]>();
      const put = (row: Row, value: Result<Saved | Upserted>) => {
        const k = rowKey(columns, row);
        byKey.set(k, [...(byKey.get(k) ?? []), value]);
      };
      for (const s of result.value.successful) put(s.record, ok({ id: s.id, created: s.created }));
      for (const f of result.value.failed)
        put(
          f.record,
          err<ConnectorError>({
            system: 'salesforce',
            code: 'validation',
            errorCode: f.errorCode,
            message: f.message,
            fields: f.fields,
            upstreamCode: f.errorCode,
          }),
        );
      for (const w of group.waiting) {
        const k = rowKey(columns, w.record);
        const found = byKey.get(k)?.shift();
        w.resolve(
          found ??
            err<ConnectorError>({
              system: 'salesforce',
              code: 'upstream',
              message: 'Salesforce did not process this record in the bulk job',
            }),
        );
      }
    };
    const { connector } = options;
    const earlier = options.known.find((job) => job.key === key);
    if (earlier) {
      const state = await connector.bulkIngestState(earlier.id);
      if (state.ok && state.value.state !== 'Failed' && state.value.state !== 'Aborted') {
        if (state.value.state === 'Open') await connector.bulkIngestAbort(earlier.id);
        else {
          const done = await connector.bulkIngestWait(earlier.id, {
            pollMs: waitPollMs,
            ...(options.signal ? { signal: options.signal } : {}),
          });
          if (done.ok && done.value.state === 'JobComplete')
            return answer(await connector.bulkIngestResults(earlier.id));
        }
      }
    }
    const created = await connector.bulkIngestCreate(
      group.object,
      group.operation,
      group.externalIdField ? { externalIdField: group.externalIdField } : {},
    );
    if (!created.ok) return answer(created);
    const { id } = created.value;
    await options.remember({ key, id });
    const uploaded = await connector.bulkIngestUpload(
      id,
      group.waiting.map((w) => w.record),
      columns,
    );
    if (!uploaded.ok) return answer(uploaded);
    const closed = await connector.bulkIngestClose(id);
    if (!closed.ok) return answer(closed);
    const done = await connector.bulkIngestWait(id, {
      pollMs: waitPollMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!done.ok) return answer(done);
    if (done.value.state !== 'JobComplete')
      return answer(
        err<ConnectorError>({
          system: 'salesforce',
          code: 'upstream',
          message: `the Bulk API job ${id} ended ${done.value.state}`,
        }),
      );
    answer(await connector.bulkIngestResults(id));
  }

  function write(
    operation: Operation,
    object: string,
    externalIdField: string | undefined,
    record: WritableRecord,
  ): Promise<Result<Saved | Upserted>> {
    const key = `${operation}:${object}:${externalIdField ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = { object, operation, externalIdField, waiting: [] };
      groups.set(key, group);
    }
    const waiting = group.waiting;
    return new Promise((resolve) => {
      waiting.push({ record, key, resolve });
      arrive();
    });
  }

  return {
    forRecord() {
      let done = false;
      const mark = () => {
        if (done) return false;
        done = true;
        return true;
      };
      return {
        create: (object, record) => {
          if (!mark()) throw new Error('a backfill record writes to Salesforce once');
          return write('insert', object, undefined, record) as Promise<Result<Saved>>;
        },
        update: (object, record) => {
          if (!mark()) throw new Error('a backfill record writes to Salesforce once');
          return write('update', object, undefined, record) as Promise<Result<Saved>>;
        },
        upsert: (object, field, record) => {
          if (!mark()) throw new Error('a backfill record writes to Salesforce once');
          return write('upsert', object, field, record) as Promise<Result<Upserted>>;
        },
        finish: () => {
          if (mark()) arrive();
        },
      };
    },
    settled: async () => {
      if (options.records === 0) return;
      await sending;
    },
  };
}
