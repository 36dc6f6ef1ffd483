// Queuing a record's sync job again (a replayed failure), from `tandem serve` or from a
// one-shot command such as `tandem retry`, which adds jobs without running any.
import type { Config } from '../config/index.ts';
import { createEmbeddedEngine, createPostgresEngine, type JobEngine } from '../queue/index.ts';
import type { Failure, Store } from '../store/index.ts';
import { intercomContactTask, salesforceRecordTask } from '../sync/capture/jobs.ts';
import { parseRecordKey } from '../sync/timeline.ts';

/** The task of each record kind, as change capture queues them. */
export const syncTasks = {
  intercom: intercomContactTask,
  salesforce: salesforceRecordTask,
} as const;

/** The sync task of a record key; undefined for a key that names no record. */
export function syncTaskFor(recordKey: string): string | undefined {
  const record = parseRecordKey(recordKey);
  return record && syncTasks[record.system];
}

/**
 * Queues a failure's payload on its record's task, on the interactive lane (a person asked),
 * keyed by the record so it coalesces with a change already waiting for it.
 */
export function failureRequeuer(
  engine: Pick<JobEngine, 'add'>,
): (failure: Failure) => Promise<{ task: string; jobId: string }> {
  return async (failure) => {
    const task = syncTaskFor(failure.recordKey);
    if (task === undefined)
      throw new Error(`${failure.recordKey} is not a record key, so no sync task takes it`);
    const { id } = await engine.add(task, failure.payload, {
      jobKey: failure.recordKey,
      lane: 'interactive',
    });
    return { task, jobId: id };
  };
}

/** Adds jobs for the workers of a running Tandem; runs none itself. */
export interface JobProducer {
  readonly add: JobEngine['add'];
  close(): Promise<void>;
}

/**
 * The job engine of the configured database, never started: with PostgreSQL, graphile-worker's
 * add (the running workers are woken by its NOTIFY); with the embedded store, rows in its jobs
 * table that `tandem serve` picks up at its next poll.
 */
export function createJobProducer(config: Config, store: Store): JobProducer {
  if (config.database.kind === 'sqlite') {
    const engine = createEmbeddedEngine({ store, tasks: {} });
    // Never started, so there is nothing to stop; each add resolves once committed.
    return { add: (...args) => engine.add(...args), close: async () => {} };
  }
  const engine = createPostgresEngine({
    connectionString: config.database.url,
    schema: config.queueSchema,
    tasks: {},
    poolSize: 2,
  });
  return { add: (...args) => engine.add(...args), close: () => engine.stop() };
}
