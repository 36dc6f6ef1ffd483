export {
  lanes,
  jobOutcomes,
  type AddJobOptions,
  type BackoffOptions,
  type EngineOptions,
  type FailedJob,
  type JobContext,
  type JobCounts,
  type JobEngine,
  type JobObserver,
  type JobOutcome,
  type JobPayload,
  type Lane,
  type StopOptions,
  type TaskHandler,
  type TaskList,
} from './types.ts';
export { NonRetriableError, PostponeError, RetryAfterError } from './errors.ts';
export { exponentialBackoff } from './backoff.ts';
export { createEmbeddedEngine, type EmbeddedEngineOptions } from './embedded.ts';
export { createPostgresEngine, type PostgresEngineOptions } from './postgres.ts';
