import pg from 'pg';
import { laneRank, type NormalizedJob } from './lanes.ts';
import * as q from './postgres-sql.ts';
import { toGraphilePriority } from './postgres-lanes.ts';

interface PendingAdd {
  readonly job: NormalizedJob;
  readonly resolve: (id: string) => void;
  readonly reject: (error: unknown) => void;
}

/** `add` for the PostgreSQL engine: resolves to the job id once the job is committed. */
export function batchedAdd(
  pool: pg.Pool,
  schemaName: string,
): (job: NormalizedJob) => Promise<string> {
  const s = pg.escapeIdentifier(schemaName);
  const statement = { name: `tandem_add_jobs/${schemaName}`.slice(0, 63), text: q.addJobs(s) };
  const pendingAdds: PendingAdd[] = [];
  let addsFlushing = false;
  const taskNameById = new Map<number, string>();

  /**
   * Adds made while a batch is being written wait for the next batch: one statement and one
   * commit for all of them (group commit). Each add still resolves only once committed. Within
   * a batch, only the last add of a key is written; the earlier ones get its id, as if it had
   * replaced them.
   */
  async function flushAdds(): Promise<void> {
    while (pendingAdds.length > 0) {
      const batch = pendingAdds.splice(0, 1000);
      const addedIds = new Map<NormalizedJob, string | undefined>();
      const lastOfKey = new Map<string, number>();
      batch.forEach(({ job }, index) => {
        if (job.jobKey !== null) lastOfKey.set(job.jobKey, index);
      });
      const written = batch.filter(
        ({ job }, index) => job.jobKey === null || lastOfKey.get(job.jobKey) === index,
      );
      try {
        const result = await pool.query<q.AddedRow>({
          ...statement,
          values: [
            written.map(({ job }) => job.task),
            written.map(({ job }) => job.payload),
            written.map(({ job }) => (job.runAt === undefined ? null : new Date(job.runAt))),
            written.map(({ job }) => job.maxAttempts),
            written.map(({ job }) => job.jobKey),
            written.map(({ job }) => toGraphilePriority(laneRank(job.lane), job.priority)),
          ],
        });
        const nowUs = result.rows[0]?.now_us ?? '';
        const unknown = result.rows.filter((row) => !taskNameById.has(row.task_id));
        if (unknown.length > 0) {
          const names = await pool.query<{ id: number; identifier: string }>(q.taskNames(s), [
            [...new Set(unknown.map((row) => row.task_id))],
          ]);
          for (const row of names.rows) taskNameById.set(row.id, row.identifier);
        }
        const ids = new Map<string, string[]>();
        for (const row of result.rows) {
          const signature = [
            taskNameById.get(row.task_id),
            row.key ?? '',
            row.payload,
            row.priority,
            row.max_attempts,
            row.run_at_us,
          ].join('\u0000');
          ids.set(signature, [...(ids.get(signature) ?? []), row.id]);
        }
        const idOfKey = new Map<string, string>();
        for (const { job } of written) {
          const signature = [
            job.task,
            job.jobKey ?? '',
            job.payload,
            toGraphilePriority(laneRank(job.lane), job.priority),
            job.maxAttempts,
            job.runAt === undefined ? nowUs : String(BigInt(job.runAt) * 1000n),
          ].join('\u0000');
          const id = ids.get(signature)?.shift();
          if (id !== undefined && job.jobKey !== null) idOfKey.set(job.jobKey, id);
          addedIds.set(job, id);
        }
        for (const add of batch) {
          const id = addedIds.get(add.job) ?? idOfKey.get(add.job.jobKey ?? '');
          addedIds.delete(add.job);
          if (id === undefined) {
            add.reject(new Error(`graphile-worker did not add the ${add.job.task} job`));
          } else add.resolve(id);
        }
      } catch (error) {
        for (const add of batch) add.reject(error);
      }
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
