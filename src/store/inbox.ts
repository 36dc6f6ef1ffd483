import type { Kysely, Selectable } from 'kysely';
import type { Database, InboxRow } from './schema.ts';

export const inboxSources = ['intercom', 'salesforce'] as const;
export type InboxSource = (typeof inboxSources)[number];

/** A webhook or change event as received, kept before it is acknowledged. */
export interface InboxEvent {
  readonly id: number;
  readonly source: InboxSource;
  readonly topic: string;
  /** The sender's id for the event (Intercom's notification id, a CDC replay id). */
  readonly eventId: string;
  /** The record the event is about (e.g. `intercom:contact:…`), the key its job coalesces on. */
  readonly recordKey: string | null;
  readonly receivedAt: Date;
  /** The body exactly as received. */
  readonly body: string;
  readonly processedAt: Date | null;
}

export interface NewInboxEvent {
  readonly source: InboxSource;
  readonly topic: string;
  readonly eventId: string;
  readonly recordKey: string | null;
  readonly body: string;
}

export interface InboxRepository {
  /**
   * Stores an event once per source and event id: a repeated delivery answers the event
   * stored the first time, with `duplicate: true`.
   */
  add(event: NewInboxEvent): Promise<{ readonly event: InboxEvent; readonly duplicate: boolean }>;
  get(id: number): Promise<InboxEvent | undefined>;
  /** Events not yet processed, oldest first; of one record when `recordKey` is given. */
  pending(query?: { readonly recordKey?: string; readonly limit?: number }): Promise<InboxEvent[]>;
  markProcessed(ids: readonly number[]): Promise<number>;
  /**
   * Marks processed every pending event of a record up to and including `throughId`: a job
   * that coalesced a burst of events handles all of them at once.
   */
  markRecordProcessed(recordKey: string, throughId: number): Promise<number>;
}

const toEvent = (row: Selectable<InboxRow>): InboxEvent => ({
  id: Number(row.id),
  source: row.source as InboxSource,
  topic: row.topic,
  eventId: row.event_id,
  recordKey: row.record_key,
  receivedAt: new Date(Number(row.received_at)),
  body: row.body,
  processedAt: row.processed_at === null ? null : new Date(Number(row.processed_at)),
});

export function inboxRepository(db: Kysely<Database>, now: () => number): InboxRepository {
  const find = async (source: InboxSource, eventId: string) => {
    const row = await db
      .selectFrom('inbox')
      .selectAll()
      .where('source', '=', source)
      .where('event_id', '=', eventId)
      .executeTakeFirstOrThrow();
    return toEvent(row);
  };
  return {
    async add(event) {
      const row = await db
        .insertInto('inbox')
        .values({
          source: event.source,
          topic: event.topic,
          event_id: event.eventId,
          record_key: event.recordKey,
          received_at: now(),
          body: event.body,
          processed_at: null,
        })
        .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) return { event: toEvent(row), duplicate: false };
      return { event: await find(event.source, event.eventId), duplicate: true };
    },
    async get(id) {
      const row = await db.selectFrom('inbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toEvent(row);
    },
    async pending(query = {}) {
      let select = db
        .selectFrom('inbox')
        .selectAll()
        .where('processed_at', 'is', null)
        .orderBy('id')
        .limit(query.limit ?? 100);
      if (query.recordKey !== undefined) select = select.where('record_key', '=', query.recordKey);
      return (await select.execute()).map(toEvent);
    },
    async markProcessed(ids) {
      if (ids.length === 0) return 0;
      const result = await db
        .updateTable('inbox')
        .set({ processed_at: now() })
        .where('id', 'in', ids)
        .where('processed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async markRecordProcessed(recordKey, throughId) {
      const result = await db
        .updateTable('inbox')
        .set({ processed_at: now() })
        .where('record_key', '=', recordKey)
        .where('id', '<=', throughId)
        .where('processed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
