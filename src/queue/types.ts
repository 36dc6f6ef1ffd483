import type { Logger } from 'pino';

/**
 * Lanes, highest precedence first. A ready job in an earlier lane always runs before a ready
 * job in a later one; within a lane, the lower `priority` number runs first, then the earlier
 * `runAt`.
 */
export const lanes = ['interactive', 'live', 'bulk'] as const;
export type Lane = (typeof lanes)[number];

/** A job's payload: a JSON object (arrays are refused; graphile-worker merges keyed arrays). */
export type JobPayload = Readonly<Record<string, unknown>>;

export interface AddJobOptions {
  /**
   * Coalescing key. A pending job with the same key is replaced (payload, run time, priority,
   * lane, attempts); if the keyed job is running, a fresh job is queued to run after it.
   */
  readonly jobKey?: string;
  /** Not before this time (epoch ms or Date). Default: now. */
  readonly runAt?: number | Date;
  /** Within a lane, lower runs first. Integer in [-4999, 4999]; default 0. */
  readonly priority?: number;
  /** Attempts before the job is left failed. Default 25 (graphile-worker's default). */
  readonly maxAttempts?: number;
  /** Default 'live'. */
  readonly lane?: Lane;
}

export interface JobContext {
  readonly jobId: string;
  readonly task: string;
  readonly lane: Lane;
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborted when the engine stops and the grace period is over: stop work, the job is released. */
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export type TaskHandler<P extends JobPayload = JobPayload> = (
  payload: P,
  ctx: JobContext,
) => Promise<void>;

/** Handlers by task name. */
export type TaskList = Readonly<Record<string, TaskHandler<never>>>;

export const jobOutcomes = ['completed', 'failed', 'retrying'] as const;
export type JobOutcome = (typeof jobOutcomes)[number];

/** Hooks for metrics (prom-client lives in server/, not here). Must not throw. */
export interface JobObserver {
  onJobStart?(task: string, lane: Lane): void;
  onJobFinish?(task: string, lane: Lane, outcome: JobOutcome, durationMs: number): void;
}

export interface JobCounts {
  readonly task: string;
  readonly lane: Lane;
  /** Waiting to run, now or later (including retries in backoff). */
  readonly queued: number;
  /** Locked by a worker. */
  readonly running: number;
  /** Exhausted or failed with "do not retry": kept with their last error. */
  readonly failed: number;
}

export interface FailedJob {
  readonly id: string;
  readonly task: string;
  readonly lane: Lane;
  readonly payload: JobPayload;
  readonly jobKey: string | null;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly lastError: string | null;
  /** Epoch ms of the last change (the failure). */
  readonly failedAt: number;
}

export interface StopOptions {
  /** How long running jobs may take to finish before they are released. Default 10 s. */
  readonly graceMs?: number;
}

/** The job engine: one interface, an embedded (SQLite) and a PostgreSQL (graphile-worker) engine. */
export interface JobEngine {
  add(task: string, payload: JobPayload, options?: AddJobOptions): Promise<{ id: string }>;
  /** Starts the workers (an engine that only adds jobs never starts). */
  start(): Promise<void>;
  /**
   * Stops claiming; running jobs get `graceMs` to finish, then their signal aborts and they are
   * released (lock cleared, attempt not counted) for another worker. Closes what it opened.
   */
  stop(options?: StopOptions): Promise<void>;
  stats(): Promise<JobCounts[]>;
  failedJobs(options?: { limit?: number }): Promise<FailedJob[]>;
}

export interface BackoffOptions {
  /** Delay after the first failure, before jitter. Default 1 s. */
  readonly baseMs?: number;
  /** Upper bound of any delay. Default 1 h. */
  readonly maxMs?: number;
}

/** Options both engines share. */
export interface EngineOptions {
  readonly tasks: TaskList;
  /** Jobs run at the same time by this process. Default 10. */
  readonly concurrency?: number;
  /** How often to look for due jobs when nothing wakes the engine. */
  readonly pollIntervalMs?: number;
  /**
   * How long a claim lasts without renewal; a crashed process's jobs run again after it.
   * Default 30 s.
   */
  readonly leaseMs?: number;
  readonly backoff?: BackoffOptions;
  /** Source of jitter, [0, 1). Default Math.random. */
  readonly random?: () => number;
  readonly logger?: Logger;
  readonly observer?: JobObserver;
}
