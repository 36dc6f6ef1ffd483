import type { Kysely, Selectable } from 'kysely';
import type { CheckpointRow, Database } from './schema.ts';

/** Where a stream or a sweep got to (a CDC replay id, a sweep watermark). */
export interface Checkpoint {
  readonly name: string;
  /** Any JSON value. */
  readonly value: unknown;
  readonly version: number;
  readonly updatedAt: Date;
}

export interface CheckpointsRepository {
  get(name: string): Promise<Checkpoint | undefined>;
  /**
   * Writes a checkpoint. With `expectedVersion` (0 for "not written yet") the write happens
   * only if nobody moved the checkpoint since it was read; otherwise it answers undefined, and
   * the caller re-reads instead of moving a stream backwards.
   */
  set(name: string, value: unknown, expectedVersion?: number): Promise<Checkpoint | undefined>;
  list(): Promise<Checkpoint[]>;
}

const toCheckpoint = (row: Selectable<CheckpointRow>): Checkpoint => ({
  name: row.name,
  value: JSON.parse(row.value) as unknown,
  version: Number(row.version),
  updatedAt: new Date(Number(row.updated_at)),
});

export function checkpointsRepository(
  db: Kysely<Database>,
  now: () => number,
): CheckpointsRepository {
  return {
    async get(name) {
      const row = await db
        .selectFrom('checkpoints')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toCheckpoint(row);
    },
    async set(name, value, expectedVersion) {
      const text = JSON.stringify(value);
      const at = now();
      if (expectedVersion === undefined || expectedVersion === 0) {
        const row = await db
          .insertInto('checkpoints')
          .values({ name, value: text, version: 1, updated_at: at })
          .onConflict((oc) => {
            const target = oc.column('name');
            return expectedVersion === 0
              ? target.doNothing()
              : target.doUpdateSet((eb) => ({
                  value: text,
                  version: eb('checkpoints.version', '+', 1),
                  updated_at: at,
                }));
          })
          .returningAll()
          .executeTakeFirst();
        return row && toCheckpoint(row);
      }
      const row = await db
        .updateTable('checkpoints')
        .set((eb) => ({ value: text, version: eb('version', '+', 1), updated_at: at }))
        .where('name', '=', name)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      return row && toCheckpoint(row);
    },
    async list() {
      const rows = await db.selectFrom('checkpoints').selectAll().orderBy('name').execute();
      return rows.map(toCheckpoint);
    },
  };
}
