import { randomBytes } from 'node:crypto';
import { CompiledQuery, type Kysely } from 'kysely';
import { pino } from 'pino';
import type { Database } from '../store/index.ts';
import { exponentialBackoff } from './backoff.ts';
import * as q from './embedded-sql.ts';
import { decideFailure, errorMessage } from './errors.ts';
import { batchedAdd } from './embedded-add.ts';
import { laneAt, normalizeJob } from './lanes.ts';
import type {
  EngineOptions,
  FailedJob,
  JobCounts,
  JobEngine,
  JobObserver,
  JobOutcome,
  JobPayload,
  Lane,
  TaskHandler,
} from './types.ts';

export interface EmbeddedEngineOptions extends EngineOptions {
  /** The SQLite store (its `jobs` table, migrations applied). */
  readonly store: { readonly dialect: 'sqlite' | 'postgres'; readonly db: Kysely<Database> };
  /** Most jobs claimed in one write. Default: the free concurrency, at most 64. */
  readonly batchSize?: number;
  /** Names this process in `locked_by`. Default: random. */
  readonly workerId?: string;
  /** Epoch ms; run times and leases follow it. */
  readonly now?: () => number;
}

interface Running {
  readonly controller: AbortController;
  released: boolean;
}

/**
 * The job engine on the embedded SQLite store, for `tandem serve` without PostgreSQL. Workers
 * are in-process: claims are one short UPDATE with a lease (`locked_until`) renewed while the
 * job runs, handlers run outside any transaction, completions are deleted in batches.
 */
export function createEmbeddedEngine(options: EmbeddedEngineOptions): JobEngine {
  if (options.store.dialect !== 'sqlite') {
    throw new TypeError(
      'the embedded job engine needs the SQLite store; use the PostgreSQL engine',
    );
  }
  const db = options.store.db;
  const now = options.now ?? Date.now;
  const concurrency = options.concurrency ?? 10;
  const batchSize = options.batchSize ?? 64;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseMs = options.leaseMs ?? 30_000;
  const workerId = options.workerId ?? `embedded-${randomBytes(6).toString('hex')}`;
  const backoff = exponentialBackoff(options.backoff, options.random);
  const log = options.logger ?? pino({ level: 'silent' });
  const observer: JobObserver = options.observer ?? {};
  const tasks = options.tasks as Readonly<Record<string, TaskHandler>>;
  const taskNames = JSON.stringify(Object.keys(tasks));

  const running = new Map<number, Running>();
  let started = false;
  let stopping = false;
  let claiming: Promise<void> | undefined;
  let claimAgain = false;
  let pumpScheduled = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let completed: number[] = [];
  let flushing: Promise<void> | undefined;
  let drained: (() => void) | undefined;
  const addJob = batchedAdd(db, now, () => schedulePump());

  const run = <R>(sql: string, params: readonly unknown[]) =>
    db.executeQuery<R>(CompiledQuery.raw(sql, [...params]));

  function schedulePump(): void {
    if (pumpScheduled || !started || stopping) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      void pump();
    });
  }

  function pump(): Promise<void> {
    if (!started || stopping) return Promise.resolve();
    if (claiming !== undefined) {
      claimAgain = true;
      return claiming;
    }
    const free = concurrency - running.size;
    if (free <= 0) return Promise.resolve();
    claiming = claim(Math.min(free, batchSize)).finally(() => (claiming = undefined));
    return claiming;
  }

  async function claim(limit: number): Promise<void> {
    let rows: q.ClaimedRow[] = [];
    try {
      const at = now();
      const result = await run<q.ClaimedRow>(q.claimJobs, [
        workerId,
        at + leaseMs,
        at,
        taskNames,
        limit,
      ]);
      rows = await untangleKeys(result.rows);
    } catch (error) {
      log.error({ err: error }, 'claiming jobs failed');
    }
    if (stopping) {
      // stop() began while this claim was in flight: give the jobs straight back.
      const ids = JSON.stringify(rows.map((row) => row.id));
      if (rows.length > 0) {
        await run(q.releaseJobs, [now(), workerId, ids]).catch((error: unknown) => {
          log.error({ err: error }, 'releasing jobs claimed during stop failed (their lease will)');
        });
      }
      return;
    }
    for (const row of rows) startJob(row);
    if (claimAgain || rows.length === limit) {
      claimAgain = false;
      schedulePump();
    }
  }

  /** After a crash, one batch may hold two jobs with one key: run the first, give back the rest. */
  async function untangleKeys(rows: q.ClaimedRow[]): Promise<q.ClaimedRow[]> {
    rows.sort(
      (a, b) =>
        a.lane_rank - b.lane_rank || a.priority - b.priority || a.run_at - b.run_at || a.id - b.id,
    );
    const keys = new Set<string>();
    const extra: number[] = [];
    const kept = rows.filter((row) => {
      if (row.running_key === null) return true;
      if (keys.has(row.running_key)) {
        extra.push(row.id);
        return false;
      }
      keys.add(row.running_key);
      return true;
    });
    if (extra.length > 0) await run(q.releaseJobs, [now(), workerId, JSON.stringify(extra)]);
    return kept;
  }

  function startJob(row: q.ClaimedRow): void {
    const entry: Running = { controller: new AbortController(), released: false };
    running.set(row.id, entry);
    void execute(row, entry).finally(() => {
      running.delete(row.id);
      if (running.size === 0) drained?.();
      schedulePump();
    });
  }

  async function execute(row: q.ClaimedRow, entry: Running): Promise<void> {
    const lane = laneAt(row.lane_rank);
    const jobId = String(row.id);
    const started = performance.now();
    const finish = (outcome: JobOutcome) =>
      observer.onJobFinish?.(row.task, lane, outcome, performance.now() - started);
    observer.onJobStart?.(row.task, lane);
    try {
      const handler = tasks[row.task];
      if (handler === undefined) throw new Error(`no handler for task ${row.task}`);
      await handler(JSON.parse(row.payload) as JobPayload, {
        jobId,
        task: row.task,
        lane,
        attempt: row.attempts,
        maxAttempts: row.max_attempts,
        signal: entry.controller.signal,
        get log() {
          return log.child({ jobId, task: row.task });
        },
      });
      if (entry.released) return;
      completed.push(row.id);
      scheduleFlush();
      finish('completed');
    } catch (error) {
      if (entry.released) return;
      const decision = decideFailure(error, row.attempts, row.max_attempts, backoff);
      const at = now();
      try {
        if (decision.kind === 'retry') {
          await run(q.retryJob, [decision.message, at + decision.delayMs, at, row.id, workerId]);
        } else if (decision.kind === 'postpone') {
          await run(q.postponeJob, [decision.message, at + decision.delayMs, at, row.id, workerId]);
        } else {
          await run(q.failJob, [decision.message, at, row.id, workerId]);
        }
      } catch (writeError) {
        // The lease runs out and the job runs again: nothing is lost.
        log.error({ err: writeError, jobId }, 'recording a job failure failed');
      }
      const fields = { jobId, task: row.task, attempt: row.attempts, error: errorMessage(error) };
      if (decision.kind === 'postpone') log.info(fields, 'job postponed');
      else if (decision.kind === 'retry') log.warn(fields, 'job failed, will retry');
      else log.error(fields, 'job failed');
      finish(decision.kind === 'fail' ? 'failed' : 'retrying');
    }
  }

  function scheduleFlush(): void {
    if (completed.length === 1 && flushing === undefined) {
      flushing = new Promise((resolve) => setImmediate(resolve)).then(flush);
    }
  }

  async function flush(): Promise<void> {
    while (completed.length > 0) {
      const ids = completed;
      completed = [];
      try {
        await run(q.deleteCompleted, [workerId, JSON.stringify(ids)]);
      } catch (error) {
        // Still locked by us: the lease runs out and they run again (at least once, never lost).
        log.error({ err: error, jobs: ids.length }, 'deleting completed jobs failed');
      }
    }
    flushing = undefined;
  }

  async function renew(): Promise<void> {
    if (running.size === 0 && completed.length === 0) return;
    try {
      await run(q.renewLeases, [now() + leaseMs, workerId]);
    } catch (error) {
      log.error({ err: error }, 'renewing job leases failed');
    }
  }

  return {
    async add(task, payload, addOptions) {
      const job = normalizeJob(task, payload, addOptions);
      const id = await addJob(job);
      return { id };
    },

    async start() {
      if (started) return;
      started = true;
      stopping = false;
      pollTimer = setInterval(() => void pump(), pollIntervalMs);
      renewTimer = setInterval(() => void renew(), Math.max(50, Math.floor(leaseMs / 3)));
      log.info({ workerId, concurrency }, 'embedded job engine started');
      schedulePump();
    },

    async stop(stopOptions = {}) {
      if (!started) return;
      stopping = true;
      clearInterval(pollTimer);
      await claiming;
      const graceMs = stopOptions.graceMs ?? 10_000;
      if (running.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (drained = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
        ]);
        clearTimeout(timer);
        drained = undefined;
      }
      await flushing;
      await flush();
      const left = [...running].filter(([, entry]) => !entry.released);
      if (left.length > 0) {
        for (const [, entry] of left) {
          entry.released = true;
          entry.controller.abort(new Error('job engine stopping'));
        }
        const ids = left.map(([id]) => id);
        await run(q.releaseJobs, [now(), workerId, JSON.stringify(ids)]);
        log.warn({ jobs: ids.length }, 'released running jobs at stop');
      }
      clearInterval(renewTimer);
      started = false;
      log.info({ workerId }, 'embedded job engine stopped');
    },

    async stats() {
      const result = await run<{
        task: string;
        lane_rank: number;
        queued: number;
        running: number;
        failed: number;
      }>(q.countJobs, [now()]);
      return result.rows.map((row): JobCounts => ({
        task: row.task,
        lane: laneAt(row.lane_rank),
        queued: Number(row.queued),
        running: Number(row.running),
        failed: Number(row.failed),
      }));
    },

    async failedJobs(listOptions = {}) {
      const result = await run<{
        id: number;
        task: string;
        lane_rank: number;
        payload: string;
        running_key: string | null;
        attempts: number;
        max_attempts: number;
        last_error: string | null;
        updated_at: number;
      }>(q.listFailed, [now(), listOptions.limit ?? 100]);
      return result.rows.map((row): FailedJob => ({
        id: String(row.id),
        task: row.task,
        lane: laneAt(row.lane_rank) satisfies Lane,
        payload: JSON.parse(row.payload) as JobPayload,
        jobKey: row.running_key,
        attempts: row.attempts,
        maxAttempts: row.max_attempts,
        lastError: row.last_error ?? 'the worker running it stopped (lease expired)',
        failedAt: row.updated_at,
      }));
    },
  };
}
