import type { Kysely, Selectable } from 'kysely';
import type { BackfillRecordRow, BackfillRow, Database } from './schema.ts';

export const backfillStatuses = ['running', 'completed', 'failed', 'cancelled'] as const;
export type BackfillStatus = (typeof backfillStatuses)[number];

/** A backfill as stored: where it got to (`position`, any JSON) and what it counted. */
export interface Backfill {
  readonly id: number;
  readonly direction: string;
  readonly objects: readonly string[];
  readonly status: BackfillStatus;
  readonly phase: string;
  readonly total: number | null;
  readonly done: number;
  readonly errors: number;
  readonly position: unknown;
  readonly counts: Readonly<Record<string, number>>;
  readonly summary: unknown;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
}

export interface NewBackfill {
  readonly direction: string;
  readonly objects: readonly string[];
  readonly phase: string;
  readonly position: unknown;
}

export interface BackfillPatch {
  readonly status?: BackfillStatus;
  readonly phase?: string;
  readonly total?: number | null;
  readonly done?: number;
  readonly errors?: number;
  readonly position?: unknown;
  readonly counts?: Readonly<Record<string, number>>;
  readonly summary?: unknown;
  readonly finishedAt?: number | null;
}

/** A record staged from one system, with the keys matching looks it up by. */
export interface StagedRecord {
  readonly seq: number;
  readonly recordId: string;
  readonly emailKey: string | null;
  readonly identifierKey: string | null;
  readonly data: unknown;
}

export type NewStagedRecord = Omit<StagedRecord, 'seq'>;

export type StagedSystem = 'intercom' | 'salesforce';

export interface BackfillsRepository {
  create(backfill: NewBackfill): Promise<Backfill>;
  get(id: number): Promise<Backfill | undefined>;
  /** Newest first. */
  list(query?: { readonly limit?: number }): Promise<Backfill[]>;
  /** Backfills still running (or interrupted while running), oldest first. */
  unfinished(): Promise<Backfill[]>;
  update(id: number, patch: BackfillPatch): Promise<Backfill | undefined>;
  /** Stages records; one already staged (same system and id) is kept as it was. Answers how many were new. */
  stage(
    backfillId: number,
    system: StagedSystem,
    records: readonly NewStagedRecord[],
  ): Promise<number>;
  /** Staged records after `afterSeq`, in staging order. */
  staged(
    backfillId: number,
    system: StagedSystem,
    afterSeq: number,
    limit: number,
  ): Promise<StagedRecord[]>;
  stagedBy(
    backfillId: number,
    system: StagedSystem,
    key: 'recordId' | 'emailKey' | 'identifierKey',
    values: readonly string[],
  ): Promise<StagedRecord[]>;
  countStaged(backfillId: number, system: StagedSystem): Promise<number>;
  /** Deletes staged records (of one system, or all). */
  clearStaged(backfillId: number, system?: StagedSystem): Promise<void>;
}

const toBackfill = (row: Selectable<BackfillRow>): Backfill => ({
  id: Number(row.id),
  direction: row.direction,
  objects: JSON.parse(row.objects) as string[],
  status: row.status as BackfillStatus,
  phase: row.phase,
  total: row.total === null ? null : Number(row.total),
  done: Number(row.done),
  errors: Number(row.errors),
  position: JSON.parse(row.position) as unknown,
  counts: JSON.parse(row.counts) as Record<string, number>,
  summary: row.summary === null ? null : (JSON.parse(row.summary) as unknown),
  startedAt: Number(row.started_at),
  updatedAt: Number(row.updated_at),
  finishedAt: row.finished_at === null ? null : Number(row.finished_at),
});

const toStaged = (row: Selectable<BackfillRecordRow>): StagedRecord => ({
  seq: Number(row.seq),
  recordId: row.record_id,
  emailKey: row.email_key,
  identifierKey: row.identifier_key,
  data: JSON.parse(row.data) as unknown,
});

const columns = {
  recordId: 'record_id',
  emailKey: 'email_key',
  identifierKey: 'identifier_key',
} as const;

/** Rows per multi-row INSERT and values per IN list: well inside both databases' limits. */
const batch = 400;

function* slices<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export function backfillsRepository(db: Kysely<Database>, now: () => number): BackfillsRepository {
  return {
    async create(backfill) {
      const at = now();
      const row = await db
        .insertInto('backfills')
        .values({
          direction: backfill.direction,
          objects: JSON.stringify(backfill.objects),
          status: 'running',
          phase: backfill.phase,
          total: null,
          done: 0,
          errors: 0,
          position: JSON.stringify(backfill.position ?? null),
          counts: '{}',
          summary: null,
          started_at: at,
          updated_at: at,
          finished_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toBackfill(row);
    },
    async get(id) {
      const row = await db
        .selectFrom('backfills')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toBackfill(row);
    },
    async list(query = {}) {
      const rows = await db
        .selectFrom('backfills')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(query.limit ?? 50)
        .execute();
      return rows.map(toBackfill);
    },
    async unfinished() {
      const rows = await db
        .selectFrom('backfills')
        .selectAll()
        .where('status', '=', 'running')
        .orderBy('id')
        .execute();
      return rows.map(toBackfill);
    },
    async update(id, patch) {
      const row = await db
        .updateTable('backfills')
        .set({
          updated_at: now(),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.phase !== undefined ? { phase: patch.phase } : {}),
          ...(patch.total !== undefined ? { total: patch.total } : {}),
          ...(patch.done !== undefined ? { done: patch.done } : {}),
          ...(patch.errors !== undefined ? { errors: patch.errors } : {}),
          ...(patch.position !== undefined ? { position: JSON.stringify(patch.position) } : {}),
          ...(patch.counts !== undefined ? { counts: JSON.stringify(patch.counts) } : {}),
          ...(patch.summary !== undefined ? { summary: JSON.stringify(patch.summary) } : {}),
          ...(patch.finishedAt !== undefined ? { finished_at: patch.finishedAt } : {}),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toBackfill(row);
    },
    async stage(backfillId, system, records) {
      let added = 0;
      for (const part of slices(records, batch)) {
        const result = await db
          .insertInto('backfill_records')
          .values(
            part.map((record) => ({
              backfill_id: backfillId,
              system,
              record_id: record.recordId,
              email_key: record.emailKey,
              identifier_key: record.identifierKey,
              data: JSON.stringify(record.data),
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      return added;
    },
    async staged(backfillId, system, afterSeq, limit) {
      const rows = await db
        .selectFrom('backfill_records')
        .selectAll()
        .where('backfill_id', '=', backfillId)
        .where('system', '=', system)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toStaged);
    },
    async stagedBy(backfillId, system, key, values) {
      const found: StagedRecord[] = [];
      const unique = [...new Set(values)];
      for (const part of slices(unique, batch)) {
        const rows = await db
          .selectFrom('backfill_records')
          .selectAll()
          .where('backfill_id', '=', backfillId)
          .where('system', '=', system)
          .where(columns[key], 'in', part)
          .orderBy('seq')
          .execute();
        found.push(...rows.map(toStaged));
      }
      return found;
    },
    async countStaged(backfillId, system) {
      const row = await db
        .selectFrom('backfill_records')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('backfill_id', '=', backfillId)
        .where('system', '=', system)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
    async clearStaged(backfillId, system) {
      let query = db.deleteFrom('backfill_records').where('backfill_id', '=', backfillId);
      if (system !== undefined) query = query.where('system', '=', system);
      await query.execute();
    },
  };
}
