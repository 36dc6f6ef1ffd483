// Starting backfills and reading their progress: what `tandem backfill`, the demo and
// `/api/backfills` share. A backfill runs as one `backfill.run` job in the bulk lane, keyed by
// the backfill, so any process with the job engine (serve, worker, the backfill command) may
// run it, and a process that dies leaves it to the next.
import type { Direction, PersonObject } from '../core/index.ts';
import type { JobPayload } from '../queue/index.ts';
import type { Backfill, BackfillsRepository } from '../store/index.ts';
import type { BackfillProgress, BackfillSummary } from './report-types.ts';
import { backfillTask, progressOf, startPosition } from './run.ts';

export interface BackfillRequest {
  readonly direction: Direction;
  readonly objects: readonly PersonObject[];
}

export interface StartedBackfill {
  readonly backfill: Backfill;
  /** True when an unfinished backfill was picked up again instead of a new one started. */
  readonly resumed: boolean;
}

export interface BackfillService {
  /**
   * Starts a backfill, or resumes the unfinished one (a backfill interrupted by a crash or a
   * stop); only one runs at a time.
   */
  start(request: BackfillRequest): Promise<StartedBackfill>;
  get(id: number): Promise<Backfill | undefined>;
  list(limit?: number): Promise<Backfill[]>;
  progress(backfill: Backfill): BackfillProgress;
  summary(backfill: Backfill): BackfillSummary | null;
}

export function backfillService(deps: {
  readonly backfills: BackfillsRepository;
  readonly jobs: {
    add(
      task: string,
      payload: JobPayload,
      options?: { jobKey?: string; lane?: 'interactive' | 'live' | 'bulk'; maxAttempts?: number },
    ): Promise<unknown>;
  };
}): BackfillService {
  const queue = (backfill: Backfill) =>
    deps.jobs.add(
      backfillTask,
      { backfillId: backfill.id },
      // Each attempt resumes where the last stopped: many attempts are cheap.
      { jobKey: `backfill:${backfill.id}`, lane: 'bulk', maxAttempts: 100 },
    );
  return {
    async start(request) {
      const [unfinished] = await deps.backfills.unfinished();
      if (unfinished) {
        await queue(unfinished);
        return { backfill: unfinished, resumed: true };
      }
      const backfill = await deps.backfills.create({
        direction: request.direction,
        objects: request.objects,
        phase: 'staging_salesforce',
        position: startPosition,
      });
      await queue(backfill);
      return { backfill, resumed: false };
    },
    get: (id) => deps.backfills.get(id),
    list: (limit) => deps.backfills.list(limit === undefined ? {} : { limit }),
    progress: progressOf,
    summary: (backfill) => (backfill.summary as BackfillSummary | null) ?? null,
  };
}
