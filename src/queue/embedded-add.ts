import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import * as q from './embedded-sql.ts';
import { laneRank, type NormalizedJob } from './lanes.ts';

interface PendingAdd {
  readonly job: NormalizedJob;
  readonly resolve: (id: string) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * `add` for the embedded engine: resolves to the job id once the job is committed, and calls
 * `onDue` when a batch held a job due now.
 */
export function batchedAdd(
  db: Kysely<Database>,
  now: () => number,
  onDue: () => void,
): (job: NormalizedJob) => Promise<string> {
  const pendingAdds: PendingAdd[] = [];
  let addsFlushing = false;

  /**
   * Adds arriving together are written in one transaction (one WAL commit instead of one per
   * job), in order, so a later add of a key still replaces an earlier one. Each add resolves
   * once its transaction has committed.
   */
  async function flushAdds(): Promise<void> {
    while (pendingAdds.length > 0) {
      const batch = pendingAdds.splice(0, 1000);
      const at = now();
      let due = false;
      try {
        const ids = await db.transaction().execute(async (trx) => {
          const out = new Map<PendingAdd, string>();
          const values = (job: NormalizedJob) => {
            const runAt = job.runAt ?? at;
            if (runAt <= at) due = true;
            return [
              job.task,
              job.payload,
              job.jobKey,
              job.lane,
              laneRank(job.lane),
              job.priority,
              runAt,
              job.maxAttempts,
              at,
              at,
            ];
          };
          // Unkeyed jobs conflict with nothing: one multi-row INSERT. Rows are inserted in
          // VALUES order and AUTOINCREMENT ids only grow, so sorted ids match that order.
          const plain = batch.filter((add) => add.job.jobKey === null);
          for (let from = 0; from < plain.length; from += 500) {
            const chunk = plain.slice(from, from + 500);
            const result = await trx.executeQuery<{ id: number }>(
              CompiledQuery.raw(
                q.insertJobs(chunk.length),
                chunk.flatMap((add) => values(add.job)),
              ),
            );
            const sorted = result.rows.map((row) => row.id).sort((x, y) => x - y);
            chunk.forEach((add, index) => out.set(add, String(sorted[index])));
          }
          // Keyed jobs one by one, in order, so a later add of a key replaces an earlier one.
          for (const add of batch) {
            if (add.job.jobKey === null) continue;
            await trx.executeQuery(CompiledQuery.raw(q.supersedeRunning, [at, add.job.jobKey]));
            const result = await trx.executeQuery<{ id: number }>(
              CompiledQuery.raw(q.insertJob, values(add.job)),
            );
            out.set(add, String(result.rows[0]?.id));
          }
          return batch.map((add) => out.get(add));
        });
        batch.forEach((add, index) => add.resolve(ids[index] ?? ''));
      } catch (error) {
        for (const add of batch) add.reject(error);
      }
      if (due) onDue();
    }
    addsFlushing = false;
  }

  return (job) =>
    new Promise<string>((resolve, reject) => {
      pendingAdds.push({ job, resolve, reject });
      if (!addsFlushing) {
        addsFlushing = true;
        setImmediate(() => void flushAdds());
      }
    });
}
