import type { Kysely, Selectable } from 'kysely';
import type { Database, EventRow } from './schema.ts';

/** One entry of the ledger: what the sync did, and why. */
export interface LedgerEvent {
  readonly id: number;
  readonly at: Date;
  readonly kind: string;
  readonly subject: string | null;
  readonly data: Record<string, unknown>;
}

export interface NewLedgerEvent {
  readonly kind: string;
  readonly subject?: string | null;
  readonly data?: Record<string, unknown>;
}

export interface EventQuery {
  readonly kind?: string;
  readonly subject?: string;
  /** Only events with a larger id (for paging forward). */
  readonly after?: number;
  readonly limit?: number;
}

/** The append-only ledger. The database itself refuses updates and deletes. */
export interface EventsRepository {
  append(event: NewLedgerEvent): Promise<LedgerEvent>;
  /** Appends many events in order, in as few statements as the database allows. */
  appendMany(events: readonly NewLedgerEvent[]): Promise<void>;
  list(query?: EventQuery): Promise<LedgerEvent[]>;
}

const toEvent = (row: Selectable<EventRow>): LedgerEvent => ({
  id: Number(row.id),
  at: new Date(Number(row.at)),
  kind: row.kind,
  subject: row.subject,
  data: JSON.parse(row.data) as Record<string, unknown>,
});

export function eventsRepository(db: Kysely<Database>, now: () => number): EventsRepository {
  return {
    async append(event) {
      const row = await db
        .insertInto('events')
        .values({
          at: now(),
          kind: event.kind,
          subject: event.subject ?? null,
          data: JSON.stringify(event.data ?? {}),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEvent(row);
    },
    async appendMany(events) {
      const at = now();
      for (let i = 0; i < events.length; i += 400) {
        await db
          .insertInto('events')
          .values(
            events.slice(i, i + 400).map((event) => ({
              at,
              kind: event.kind,
              subject: event.subject ?? null,
              data: JSON.stringify(event.data ?? {}),
            })),
          )
          .execute();
      }
    },
    async list(query = {}) {
      let select = db
        .selectFrom('events')
        .selectAll()
        .orderBy('id')
        .limit(query.limit ?? 100);
      if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
      if (query.subject !== undefined) select = select.where('subject', '=', query.subject);
      if (query.after !== undefined) select = select.where('id', '>', query.after);
      const rows = await select.execute();
      return rows.map(toEvent);
    },
  };
}
