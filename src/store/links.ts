import type { Kysely, Selectable } from 'kysely';
import type { LinkSyncState, PersonObject } from '../core/index.ts';
import type { Database, LinkRow } from './schema.ts';
import { isUniqueViolation } from './unique.ts';

/** A 1:1 identity link between an Intercom contact and a Salesforce Lead or Contact. */
export interface Link {
  readonly id: number;
  readonly intercomId: string;
  readonly salesforceId: string;
  readonly salesforceType: PersonObject;
  /** What the last sync agreed on and wrote; null until the first sync through this link. */
  readonly state: LinkSyncState | null;
  /** Raised by every change; writers pass the version they read (optimistic concurrency). */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Set once the link is dropped; a dropped link is kept for the record but never found. */
  readonly droppedAt: Date | null;
  readonly dropReason: string | null;
}

export interface NewLink {
  readonly intercomId: string;
  readonly salesforceId: string;
  readonly salesforceType: PersonObject;
  readonly state?: LinkSyncState | null;
}

/** One side of a link, as a move re-points it. */
export type LinkSide =
  | { readonly system: 'intercom'; readonly id: string }
  | { readonly system: 'salesforce'; readonly id: string; readonly type: PersonObject };

/**
 * A write to a link either happened, or did not for an expected reason (a value, not an
 * error): the link is gone, someone changed it since it was read, or the record on the other
 * end already belongs to another live link (which is returned).
 */
export type LinkWrite =
  | { readonly ok: true; readonly link: Link }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'version_conflict'; readonly current: Link }
  | { readonly ok: false; readonly reason: 'already_linked'; readonly existing: Link };

export interface LinksRepository {
  get(id: number): Promise<Link | undefined>;
  /** The live link of an Intercom contact. */
  findByIntercomId(intercomId: string): Promise<Link | undefined>;
  /** The live link of a Salesforce Lead or Contact. */
  findBySalesforceId(salesforceId: string): Promise<Link | undefined>;
  /** The live links of these Intercom contacts (any order; ids without one are left out). */
  findManyByIntercomIds(intercomIds: readonly string[]): Promise<Link[]>;
  /** The live links of these Salesforce records. */
  findManyBySalesforceIds(salesforceIds: readonly string[]): Promise<Link[]>;
  /**
   * Links many pairs at once (a backfill chunk); a pair whose record already has a live link is
   * refused and answered in `refused`.
   */
  createMany(links: readonly NewLink[]): Promise<{ created: Link[]; refused: NewLink[] }>;
  /** Links a pair; refused when either record already has a live link. */
  create(link: NewLink): Promise<LinkWrite>;
  /**
   * Re-points one side (a converted Lead to its Contact, a merged contact to the survivor).
   * The state is kept unless a new one is given.
   */
  move(
    id: number,
    to: LinkSide,
    options?: { readonly expectedVersion?: number; readonly state?: LinkSyncState | null },
  ): Promise<LinkWrite>;
  /** Stores the state a sync produced, only if nobody changed the link since `expectedVersion`. */
  updateState(id: number, expectedVersion: number, state: LinkSyncState | null): Promise<LinkWrite>;
  /** Ends a link, keeping its row with the time and the reason. */
  drop(id: number, reason: string, expectedVersion?: number): Promise<LinkWrite>;
  /** Ends every live link (the identifier setting changed); returns how many. */
  dropAll(reason: string): Promise<number>;
  /** Live links, oldest first, for paging with `after` (an id). */
  list(query?: { readonly after?: number; readonly limit?: number }): Promise<Link[]>;
}

const toLink = (row: Selectable<LinkRow>): Link => ({
  id: Number(row.id),
  intercomId: row.intercom_id,
  salesforceId: row.salesforce_id,
  salesforceType: row.salesforce_type as PersonObject,
  state: row.state === null ? null : (JSON.parse(row.state) as LinkSyncState),
  version: Number(row.version),
  createdAt: new Date(Number(row.created_at)),
  updatedAt: new Date(Number(row.updated_at)),
  droppedAt: row.dropped_at === null ? null : new Date(Number(row.dropped_at)),
  dropReason: row.drop_reason,
});

/** The row of a new live link. */
const newRow = (link: NewLink, at: number) => ({
  intercom_id: link.intercomId,
  salesforce_id: link.salesforceId,
  salesforce_type: link.salesforceType,
  state: link.state ? JSON.stringify(link.state) : null,
  version: 1,
  created_at: at,
  updated_at: at,
  dropped_at: null,
  drop_reason: null,
});

export function linksRepository(db: Kysely<Database>, now: () => number): LinksRepository {
  const live = () => db.selectFrom('links').selectAll().where('dropped_at', 'is', null);
  const findLive = async (column: 'intercom_id' | 'salesforce_id', value: string) => {
    const row = await live().where(column, '=', value).executeTakeFirst();
    return row && toLink(row);
  };
  const findManyLive = async (
    column: 'intercom_id' | 'salesforce_id',
    values: readonly string[],
  ): Promise<Link[]> => {
    const unique = [...new Set(values)];
    const found: Link[] = [];
    for (let i = 0; i < unique.length; i += 400) {
      const rows = await live()
        .where(column, 'in', unique.slice(i, i + 400))
        .execute();
      found.push(...rows.map(toLink));
    }
    return found;
  };
  const get = async (id: number) => {
    const row = await db.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toLink(row);
  };

  /** Why an UPDATE guarded by id, liveness and version touched no row. */
  const missed = async (id: number): Promise<LinkWrite> => {
    const current = await get(id);
    if (!current || current.droppedAt !== null) return { ok: false, reason: 'not_found' };
    return { ok: false, reason: 'version_conflict', current };
  };

  /** Which live link holds one of these records, after the database refused a duplicate. */
  const holder = async (intercomId: string | undefined, salesforceId: string | undefined) =>
    (intercomId === undefined ? undefined : await findLive('intercom_id', intercomId)) ??
    (salesforceId === undefined ? undefined : await findLive('salesforce_id', salesforceId));

  /** Inserts a link, or answers which live link holds one of its records (undefined: none now). */
  const insert = async (link: NewLink): Promise<LinkWrite | undefined> => {
    const at = now();
    // ON CONFLICT DO NOTHING without a target covers both partial unique indexes, so two jobs
    // matching the same person at once cannot both link it, and neither sees an error.
    const row = await db
      .insertInto('links')
      .values(newRow(link, at))
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row) return { ok: true, link: toLink(row) };
    const existing = await holder(link.intercomId, link.salesforceId);
    return existing && { ok: false, reason: 'already_linked', existing };
  };

  return {
    get,
    findByIntercomId: (intercomId) => findLive('intercom_id', intercomId),
    findBySalesforceId: (salesforceId) => findLive('salesforce_id', salesforceId),
    findManyByIntercomIds: (ids) => findManyLive('intercom_id', ids),
    findManyBySalesforceIds: (ids) => findManyLive('salesforce_id', ids),

    async createMany(links) {
      const created: Link[] = [];
      for (let i = 0; i < links.length; i += 400) {
        const at = now();
        const rows = await db
          .insertInto('links')
          .values(links.slice(i, i + 400).map((link) => newRow(link, at)))
          .onConflict((oc) => oc.doNothing())
          .returningAll()
          .execute();
        created.push(...rows.map(toLink));
      }
      const made = new Set(created.map((link) => `${link.intercomId} ${link.salesforceId}`));
      const refused = links.filter((l) => !made.has(`${l.intercomId} ${l.salesforceId}`));
      return { created, refused };
    },
    async create(link) {
      // The holder of a refused record may be dropped between the insert and the look-up:
      // then the insert is tried once more.
      const outcome = (await insert(link)) ?? (await insert(link));
      if (!outcome) throw new Error(`link ${link.intercomId} ↔ ${link.salesforceId}: kept racing`);
      return outcome;
    },

    async move(id, to, options = {}) {
      const side =
        to.system === 'intercom'
          ? { intercom_id: to.id }
          : { salesforce_id: to.id, salesforce_type: to.type };
      let update = db
        .updateTable('links')
        .set((eb) => ({
          ...side,
          ...(options.state === undefined
            ? {}
            : { state: options.state === null ? null : JSON.stringify(options.state) }),
          version: eb('version', '+', 1),
          updated_at: now(),
        }))
        .where('id', '=', id)
        .where('dropped_at', 'is', null);
      if (options.expectedVersion !== undefined)
        update = update.where('version', '=', options.expectedVersion);
      try {
        const row = await update.returningAll().executeTakeFirst();
        return row ? { ok: true, link: toLink(row) } : await missed(id);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const existing = await holder(
          to.system === 'intercom' ? to.id : undefined,
          to.system === 'salesforce' ? to.id : undefined,
        );
        if (!existing) throw error;
        return { ok: false, reason: 'already_linked', existing };
      }
    },

    async updateState(id, expectedVersion, state) {
      const row = await db
        .updateTable('links')
        .set((eb) => ({
          state: state === null ? null : JSON.stringify(state),
          version: eb('version', '+', 1),
          updated_at: now(),
        }))
        .where('id', '=', id)
        .where('dropped_at', 'is', null)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      return row ? { ok: true, link: toLink(row) } : missed(id);
    },

    async drop(id, reason, expectedVersion) {
      const at = now();
      let update = db
        .updateTable('links')
        .set((eb) => ({
          dropped_at: at,
          drop_reason: reason,
          version: eb('version', '+', 1),
          updated_at: at,
        }))
        .where('id', '=', id)
        .where('dropped_at', 'is', null);
      if (expectedVersion !== undefined) update = update.where('version', '=', expectedVersion);
      const row = await update.returningAll().executeTakeFirst();
      return row ? { ok: true, link: toLink(row) } : missed(id);
    },

    async dropAll(reason) {
      const at = now();
      const result = await db
        .updateTable('links')
        .set((eb) => ({
          dropped_at: at,
          drop_reason: reason,
          version: eb('version', '+', 1),
          updated_at: at,
        }))
        .where('dropped_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async list(query = {}) {
      let select = live()
        .orderBy('id')
        .limit(query.limit ?? 100);
      if (query.after !== undefined) select = select.where('id', '>', query.after);
      return (await select.execute()).map(toLink);
    },
  };
}
