export {
  backfillService,
  type BackfillRequest,
  type BackfillService,
  type StartedBackfill,
} from './service.ts';
export {
  backfillTask,
  createBackfillRunner,
  isDirection,
  passesOf,
  progressOf,
  type BackfillJob,
  type BackfillRunnerDeps,
} from './run.ts';
export type { BackfillProgress, BackfillSummary } from './report-types.ts';
