import type { Kysely, Selectable } from 'kysely';
import type { Database, FailureRow } from './schema.ts';

export const failureCategories = [
  'auth',
  'permission',
  'validation',
  'limit',
  'not_found',
  'upstream',
] as const;
export type FailureCategory = (typeof failureCategories)[number];

export type FailureSystem = 'intercom' | 'salesforce';

/** A record that could not be synced and waits, with what is needed to try it again. */
export interface Failure {
  readonly id: number;
  /** The record's key, as its jobs are keyed (e.g. `intercom:contact:…`). */
  readonly recordKey: string;
  /** The system whose call failed. */
  readonly system: FailureSystem;
  /** What Tandem was doing, e.g. `create_lead`, `update_contact`. */
  readonly operation: string;
  readonly category: FailureCategory;
  /** Salesforce's errorCode (or Intercom's error code), when there was one. */
  readonly errorCode: string | null;
  readonly message: string;
  /** The fields the system named in its error. */
  readonly fields: readonly string[];
  readonly attempts: number;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  /** The job payload that replays the record. */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly resolvedAt: Date | null;
  /** How it left the list: `replayed`, `synced` (a later sync succeeded), `dismissed`, … */
  readonly resolution: string | null;
}

export interface NewFailure {
  readonly recordKey: string;
  readonly system: FailureSystem;
  readonly operation: string;
  readonly category: FailureCategory;
  readonly errorCode?: string | null;
  readonly message: string;
  readonly fields?: readonly string[];
  /** Attempts this failure stands for (the job's attempts). Default 1. */
  readonly attempts?: number;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface FailureQuery {
  readonly system?: FailureSystem;
  readonly recordKey?: string;
  readonly category?: FailureCategory;
  /** Only failures with a larger id (for paging forward). */
  readonly after?: number;
  readonly limit?: number;
}

/** Which open failures to replay. */
export type ReplaySelection = { readonly ids: readonly number[] } | { readonly all: true };

/** The needs-attention list. */
export interface FailuresRepository {
  /**
   * Records a failure. A record has at most one open failure per system and operation: failing
   * again adds the attempts and replaces the error and payload, keeping when it was first seen.
   */
  record(failure: NewFailure): Promise<Failure>;
  get(id: number): Promise<Failure | undefined>;
  /** Open failures, oldest first. */
  listOpen(query?: FailureQuery): Promise<Failure[]>;
  /** Every failure of a record, open and resolved, oldest first. */
  forRecord(recordKey: string): Promise<Failure[]>;
  /** Closes open failures; returns how many were open. */
  resolve(ids: readonly number[], resolution: string): Promise<number>;
  /** Closes a record's open failures (a later sync of it succeeded). */
  resolveRecord(recordKey: string, resolution: string): Promise<number>;
  /**
   * Takes the selected open failures off the list as `replayed` and returns them, so their
   * payloads can be queued again. One statement: two replays at once never take the same one.
   */
  replay(selection: ReplaySelection): Promise<Failure[]>;
}

const toFailure = (row: Selectable<FailureRow>): Failure => ({
  id: Number(row.id),
  recordKey: row.record_key,
  system: row.system as FailureSystem,
  operation: row.operation,
  category: row.category as FailureCategory,
  errorCode: row.error_code,
  message: row.message,
  fields: JSON.parse(row.fields) as string[],
  attempts: Number(row.attempts),
  firstSeenAt: new Date(Number(row.first_seen_at)),
  lastSeenAt: new Date(Number(row.last_seen_at)),
  payload: JSON.parse(row.payload) as Record<string, unknown>,
  resolvedAt: row.resolved_at === null ? null : new Date(Number(row.resolved_at)),
  resolution: row.resolution,
});

export function failuresRepository(db: Kysely<Database>, now: () => number): FailuresRepository {
  return {
    async record(failure) {
      const at = now();
      const attempts = failure.attempts ?? 1;
      const latest = {
        category: failure.category,
        error_code: failure.errorCode ?? null,
        message: failure.message,
        fields: JSON.stringify(failure.fields ?? []),
        last_seen_at: at,
        payload: JSON.stringify(failure.payload),
      };
      const row = await db
        .insertInto('failures')
        .values({
          ...latest,
          record_key: failure.recordKey,
          system: failure.system,
          operation: failure.operation,
          attempts,
          first_seen_at: at,
          resolved_at: null,
          resolution: null,
        })
        // The target names the partial unique index of open failures (its predicate included).
        .onConflict((oc) =>
          oc
            .columns(['record_key', 'system', 'operation'])
            .where('resolved_at', 'is', null)
            .doUpdateSet((eb) => ({ ...latest, attempts: eb('failures.attempts', '+', attempts) })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toFailure(row);
    },

    async get(id) {
      const row = await db
        .selectFrom('failures')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toFailure(row);
    },

    async listOpen(query = {}) {
      let select = db
        .selectFrom('failures')
        .selectAll()
        .where('resolved_at', 'is', null)
        .orderBy('id')
        .limit(query.limit ?? 100);
      if (query.system !== undefined) select = select.where('system', '=', query.system);
      if (query.recordKey !== undefined) select = select.where('record_key', '=', query.recordKey);
      if (query.category !== undefined) select = select.where('category', '=', query.category);
      if (query.after !== undefined) select = select.where('id', '>', query.after);
      return (await select.execute()).map(toFailure);
    },

    async forRecord(recordKey) {
      const rows = await db
        .selectFrom('failures')
        .selectAll()
        .where('record_key', '=', recordKey)
        .orderBy('id')
        .execute();
      return rows.map(toFailure);
    },

    async resolve(ids, resolution) {
      if (ids.length === 0) return 0;
      const result = await db
        .updateTable('failures')
        .set({ resolved_at: now(), resolution })
        .where('id', 'in', ids)
        .where('resolved_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async resolveRecord(recordKey, resolution) {
      const result = await db
        .updateTable('failures')
        .set({ resolved_at: now(), resolution })
        .where('record_key', '=', recordKey)
        .where('resolved_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async replay(selection) {
      if ('ids' in selection && selection.ids.length === 0) return [];
      let update = db
        .updateTable('failures')
        .set({ resolved_at: now(), resolution: 'replayed' })
        .where('resolved_at', 'is', null);
      if ('ids' in selection) update = update.where('id', 'in', selection.ids);
      const rows = await update.returningAll().execute();
      return rows.map(toFailure).sort((a, b) => a.id - b.id);
    },
  };
}
