import { EventEmitter } from 'node:events';
import {
  Logger as GraphileLogger,
  run,
  runMigrations,
  type Job,
  type Runner,
  type Task,
  type WorkerEvents,
} from 'graphile-worker';
import pg from 'pg';
import { pino } from 'pino';
import { exponentialBackoff } from './backoff.ts';
import { decideFailure, errorMessage } from './errors.ts';
import { laneAt, normalizeJob } from './lanes.ts';
import { batchedAdd } from './postgres-add.ts';
import { fromGraphilePriority } from './postgres-lanes.ts';
import * as q from './postgres-sql.ts';
import type {
  EngineOptions,
  FailedJob,
  JobCounts,
  JobEngine,
  JobObserver,
  JobOutcome,
  JobPayload,
  TaskHandler,
} from './types.ts';

export interface PostgresEngineOptions extends EngineOptions {
  readonly connectionString: string;
  /** graphile-worker's schema. Default 'graphile_worker'. */
  readonly schema?: string;
  /**
   * Connections of this process's pool. Default concurrency + 2 (graphile-worker's LISTEN holds
   * one; the lease and adds share the rest with the workers).
   */
  readonly poolSize?: number;
  /**
   * graphile-worker's local queue: this many jobs fetched (and locked) by one query, then handed
   * to this process's workers: one fetch per batch instead of one per job, many times the
   * throughput for short jobs. Off by default, because it bends the lane order: graphile-worker
   * hands out a fetched batch in id order, not priority order, and a job added to a higher lane
   * waits until the batch has drained. Worth it for bulk-heavy workers.
   */
  readonly localQueueSize?: number;
  /**
   * graphile-worker's completeJobBatchDelay: completions within this many ms are deleted in one
   * statement (one commit instead of one per job). Default 0: those of the same moment; -1: off.
   */
  readonly completeBatchDelayMs?: number;
  /** How long a keyed job waits before looking again when its key is busy. Default 250 ms. */
  readonly keyBusyDelayMs?: number;
}

interface Due {
  run_at: string;
  attempts: number;
}

class Released extends Error {
  override readonly name = 'Released';
}

interface Running {
  readonly controller: AbortController;
  readonly release: (error: Error) => void;
  released: boolean;
}

/**
 * The job engine on PostgreSQL, for any number of `tandem worker` processes: graphile-worker
 * claims, runs and completes jobs; this adds lanes, keyed jobs that never run beside each
 * other, our backoff and control errors, and a lease so a killed process's jobs run again
 * within seconds instead of graphile-worker's four hours.
 */
export function createPostgresEngine(options: PostgresEngineOptions): JobEngine {
  const schemaName = options.schema ?? 'graphile_worker';
  const s = pg.escapeIdentifier(schemaName);
  const concurrency = options.concurrency ?? 10;
  const leaseMs = options.leaseMs ?? 30_000;
  const keyBusyDelayMs = options.keyBusyDelayMs ?? 250;
  const localQueueSize = options.localQueueSize ?? 0;
  const backoff = exponentialBackoff(options.backoff, options.random);
  const log = options.logger ?? pino({ level: 'silent' });
  const observer: JobObserver = options.observer ?? {};
  const tasks = options.tasks as Readonly<Record<string, TaskHandler>>;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? concurrency + 2,
    // Connections are a shared budget (max_connections); give back the ones a burst opened.
    idleTimeoutMillis: 2_000,
  });
  // An idle client losing its connection must not bring the process down; queries still fail.
  pool.on('error', (error) => log.warn({ err: error }, 'postgres connection lost'));
  pool.on('connect', (client) =>
    client.on('error', (error) => log.warn({ err: error }, 'postgres client error')),
  );

  const sql = {
    prepareFailure: q.prepareFailure(s),
    deferForKey: q.deferForKey(s),
    holdsKey: q.holdsKey(s),
    postponeJob: q.postponeJob(s),
    lowerRunAt: q.lowerRunAt(s),
    returnJobs: q.returnJobs(s),
    takeKey: q.takeKey(s),
    dropKeys: q.dropKeys(s),
  };

  const running = new Map<string, Running>();
  let ready: Promise<void> | undefined;
  let runner: Runner | undefined;
  let poolId: string | undefined;
  let leaseTimer: NodeJS.Timeout | undefined;
  let closed = false;
  let runnerExited = false;
  let resourcesClosed: Promise<void> | undefined;
  const addJob = batchedAdd(pool, schemaName);

  /** graphile-worker's migrations, then our two tables, once per engine. */
  function ensureReady(): Promise<void> {
    ready ??= (async () => {
      await runMigrations({ pgPool: pool, schema: schemaName, logger: graphileLogger() });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // CREATE TABLE IF NOT EXISTS races with itself across processes; serialise it.
        await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`tandem:${s}`]);
        await client.query(q.createTables(s));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    })();
    ready.catch(() => (ready = undefined));
    return ready;
  }

  /** graphile-worker's log lines go to pino; its per-job lines are ours to write. */
  function graphileLogger(): GraphileLogger {
    return new GraphileLogger((scope) => (level, message, meta) => {
      const bindings = {
        component: 'graphile-worker',
        workerId: scope.workerId,
        jobId: scope.jobId,
      };
      if (level === 'error' && meta?.['failure'] !== true) log.error(bindings, message);
      else if (level === 'warning') log.warn(bindings, message);
      else log.debug(bindings, message);
    });
  }

  async function renewLease(): Promise<void> {
    if (poolId === undefined) return;
    try {
      await pool.query(q.heartbeat(s), [poolId, leaseMs]);
      const swept = await pool.query<{ freed: number }>(q.sweepDeadWorkers(s), [leaseMs]);
      const freed = swept.rows[0]?.freed ?? 0;
      if (freed > 0) log.warn({ jobs: freed }, 'freed the jobs of a worker whose lease expired');
    } catch (error) {
      log.error({ err: error }, 'renewing the worker lease failed');
    }
  }

  const wrap =
    (task: string, handler: TaskHandler): Task =>
    async (payload, helpers) => {
      const job: Job = helpers.job;
      const lockedBy = job.locked_by ?? '';
      const { laneRank: rank } = fromGraphilePriority(job.priority);
      const lane = laneAt(rank);
      if (job.key !== null) {
        // Superseded while it waited in the local queue: the newer job with the key does the
        // work (as a replaced pending job's would be done), so this one ends without running.
        if ((await pool.query(sql.holdsKey, [job.id, job.key])).rowCount === 0) {
          log.debug({ jobId: job.id, task, key: job.key }, 'superseded before it started');
          return;
        }
        const taken = await pool.query(sql.takeKey, [job.key, job.id, lockedBy]);
        if (taken.rowCount === 0) {
          // The previous job with this key still runs: come back later, attempt not counted.
          const deferred = await pool.query<Due>(sql.deferForKey, [
            job.id,
            lockedBy,
            keyBusyDelayMs,
            job.key,
          ]);
          lowerRunAtLater(job.id, deferred.rows[0]);
          throw new Released(`key ${job.key} is busy`);
        }
      }
      let release!: (error: Error) => void;
      const releasedPromise = new Promise<never>((_resolve, reject) => (release = reject));
      releasedPromise.catch(() => {});
      const entry: Running = { controller: new AbortController(), release, released: false };
      running.set(job.id, entry);
      const startedAt = performance.now();
      const finish = (outcome: JobOutcome) =>
        observer.onJobFinish?.(task, lane, outcome, performance.now() - startedAt);
      observer.onJobStart?.(task, lane);
      try {
        await Promise.race([
          handler(payload as JobPayload, {
            jobId: job.id,
            task,
            lane,
            attempt: job.attempts,
            maxAttempts: job.max_attempts,
            signal: entry.controller.signal,
            get log() {
              return log.child({ jobId: job.id, task });
            },
          }),
          releasedPromise,
        ]);
      } catch (error) {
        if (entry.released) throw error;
        const decision = decideFailure(error, job.attempts, job.max_attempts, backoff);
        const retry = decision.kind !== 'fail';
        try {
          const prepared =
            decision.kind === 'postpone'
              ? await pool.query<Due>(sql.postponeJob, [
                  job.id,
                  lockedBy,
                  Math.round(decision.delayMs),
                  job.key,
                ])
              : await pool.query<Due>(sql.prepareFailure, [
                  job.id,
                  lockedBy,
                  retry,
                  retry ? Math.round(decision.delayMs) : 0,
                ]);
          if (retry) lowerRunAtLater(job.id, prepared.rows[0]);
          if (job.key !== null) await pool.query(sql.dropKeys, [[job.id]]);
        } catch (writeError) {
          // graphile-worker's failJob still applies its own backoff: later, never lost.
          log.error({ err: writeError, jobId: job.id }, 'recording a job failure failed');
        }
        const fields = { jobId: job.id, task, attempt: job.attempts, error: errorMessage(error) };
        if (decision.kind === 'postpone') log.info(fields, 'job postponed');
        else if (retry) log.warn(fields, 'job failed, will retry');
        else log.error(fields, 'job failed');
        finish(retry ? 'retrying' : 'failed');
        throw error;
      } finally {
        running.delete(job.id);
      }
      // Released by stop() while the handler ran: another worker owns it now; do not complete.
      if (entry.released) throw new Released('released at stop');
      if (job.key !== null) await pool.query(sql.dropKeys, [[job.id]]);
      finish('completed');
    };

  /**
   * graphile-worker stops by itself when another process installs a breaking migration of its
   * schema (announced database-wide on `worker:migrate`; it sets exit code 57) or on a fatal
   * error. A worker that cannot run jobs should not look alive: close everything, so a
   * `tandem worker` process exits and its supervisor starts the new version.
   */
  function onRunnerExit(error: unknown): void {
    runnerExited = true;
    if (closed) return;
    closed = true;
    log.error(
      { err: error, workerId: poolId },
      'graphile-worker stopped on its own (a breaking migration or a fatal error); closing the job engine',
    );
    void closeResources();
  }

  function closeResources(): Promise<void> {
    resourcesClosed ??= (async () => {
      clearInterval(leaseTimer);
      if (poolId !== undefined) await pool.query(q.forgetWorker(s), [poolId]).catch(() => {});
      await pool.end();
    })();
    return resourcesClosed;
  }

  /**
   * After graphile-worker's failJob has unlocked the job (it runs once the task has thrown, at
   * a moment we cannot observe), bring run_at down to what we decided. Tried a few times; if
   * failJob is slower than all of them, the job simply runs a little later.
   */
  function lowerRunAtLater(jobId: string, due: Due | undefined): void {
    if (due === undefined) return;
    const delays = [10, 100, 500, 2_000];
    const attempt = (index: number) => {
      const delay = delays[index];
      if (delay === undefined) return;
      setTimeout(() => {
        if (resourcesClosed !== undefined) return;
        pool.query(sql.lowerRunAt, [jobId, due.attempts, due.run_at]).then(
          (result) => {
            if (result.rowCount === 0) attempt(index + 1);
          },
          (error: unknown) => log.warn({ err: error, jobId }, 'adjusting a retry time failed'),
        );
      }, delay).unref();
    };
    attempt(0);
  }

  /** Graceful: running jobs get `graceMs`; then they are released and the runner stops. */
  async function stopRunner(active: Runner, graceMs = 10_000): Promise<void> {
    const stopped = active.stop().catch((error: unknown) => {
      log.warn({ err: error }, 'graphile-worker stopped with an error');
    });
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      stopped.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      try {
        await releaseRunning();
      } catch (error) {
        // Not released: the jobs wait for the lease sweep instead (seconds, not lost).
        log.error({ err: error }, 'releasing running jobs at stop failed');
        for (const [, entry] of running) entry.release(new Released('stopping'));
      }
      await stopped;
    }
    log.info({ workerId: poolId }, 'postgres job engine stopped');
  }

  async function releaseRunning(): Promise<void> {
    const entries = [...running];
    if (entries.length === 0 || poolId === undefined) return;
    for (const [, entry] of entries) {
      entry.released = true;
      entry.controller.abort(new Error('job engine stopping'));
    }
    const ids = entries.map(([id]) => id);
    await pool.query(sql.returnJobs, [ids, poolId]);
    await pool.query(sql.dropKeys, [ids]);
    for (const [, entry] of entries) entry.release(new Released('released at stop'));
    log.warn({ jobs: ids.length }, 'released running jobs at stop');
  }

  return {
    async add(task, payload, addOptions) {
      const job = normalizeJob(task, payload, addOptions);
      await ensureReady();
      const id = await addJob(job);
      return { id };
    },

    async start() {
      if (runner !== undefined) return;
      await ensureReady();
      const events = new EventEmitter() as WorkerEvents;
      events.on('pool:create', ({ workerPool }) => {
        poolId = workerPool.id;
        void renewLease();
      });
      const taskList = Object.fromEntries(
        Object.entries(tasks).map(([name, handler]) => [name, wrap(name, handler)]),
      );
      runner = await run({
        pgPool: pool,
        schema: schemaName,
        concurrency,
        noHandleSignals: true,
        pollInterval: options.pollIntervalMs ?? 1000,
        taskList,
        events,
        logger: graphileLogger(),
        preset: {
          worker: {
            ...(localQueueSize > 1 ? { localQueue: { size: localQueueSize } } : {}),
            completeJobBatchDelay: options.completeBatchDelayMs ?? 0,
          },
        },
      });
      runner.promise.then(
        () => onRunnerExit(undefined),
        (error: unknown) => onRunnerExit(error),
      );
      leaseTimer = setInterval(() => void renewLease(), Math.max(100, Math.floor(leaseMs / 3)));
      log.info({ workerId: poolId, concurrency }, 'postgres job engine started');
    },

    async stop(stopOptions = {}) {
      if (closed) return;
      closed = true;
      try {
        if (runner !== undefined && !runnerExited) await stopRunner(runner, stopOptions.graceMs);
      } finally {
        await closeResources();
      }
    },

    async stats() {
      await ensureReady();
      const result = await pool.query<{
        task: string;
        lane_rank: number;
        queued: number;
        running: number;
        failed: number;
      }>(q.countJobs(s));
      return result.rows.map((row): JobCounts => ({
        task: row.task,
        lane: laneAt(row.lane_rank),
        queued: row.queued,
        running: row.running,
        failed: row.failed,
      }));
    },

    async failedJobs(listOptions = {}) {
      await ensureReady();
      const result = await pool.query<{
        id: string;
        task: string;
        priority: number;
        payload: JobPayload;
        key: string | null;
        attempts: number;
        max_attempts: number;
        last_error: string | null;
        updated_at: Date;
      }>(q.listFailed(s), [listOptions.limit ?? 100]);
      return result.rows.map((row): FailedJob => ({
        id: row.id,
        task: row.task,
        lane: laneAt(fromGraphilePriority(row.priority).laneRank),
        payload: row.payload,
        jobKey: row.key,
        attempts: row.attempts,
        maxAttempts: row.max_attempts,
        lastError: row.last_error,
        failedAt: row.updated_at.getTime(),
      }));
    },
  };
}
