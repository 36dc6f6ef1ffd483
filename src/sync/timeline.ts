// A record's history: the ledger events about the record and about its linked counterpart, in
// the order they were written. Record keys are the ones jobs and ledger subjects use.
import { personObjects, type PersonObject } from '../core/index.ts';
import type { EventsRepository, LedgerEvent, Link, LinksRepository } from '../store/index.ts';

export const recordSystems = ['intercom', 'salesforce'] as const;
export type RecordSystem = (typeof recordSystems)[number];

/** One record in one system. */
export type RecordRef =
  | { readonly system: 'intercom'; readonly id: string }
  | { readonly system: 'salesforce'; readonly id: string; readonly type: PersonObject };

/** `intercom:contact:<id>` or `salesforce:<Lead|Contact>:<id>`, as the webhook intake keys jobs. */
export function recordKey(record: RecordRef): string {
  return record.system === 'intercom'
    ? `intercom:contact:${record.id}`
    : `salesforce:${record.type}:${record.id}`;
}

/** The record a key names; undefined for other subjects (`probe:…`, a malformed key). */
export function parseRecordKey(key: string): RecordRef | undefined {
  const match = /^(intercom|salesforce):([^:]+):(.+)$/.exec(key);
  if (!match) return undefined;
  const [, system, kind, id] = match as unknown as [string, string, string, string];
  if (system === 'intercom') return kind === 'contact' ? { system, id } : undefined;
  const type = personObjects.find((object) => object === kind);
  return type === undefined ? undefined : { system: 'salesforce', id, type };
}

/** Which record a timeline is asked for; a Salesforce record's type may be unknown. */
export type RecordLookup =
  | { readonly system: 'intercom'; readonly id: string }
  | { readonly system: 'salesforce'; readonly id: string; readonly type?: PersonObject };

export interface TimelineDeps {
  readonly events: Pick<EventsRepository, 'list'>;
  readonly links: Pick<LinksRepository, 'findByIntercomId' | 'findBySalesforceId'>;
}

export interface TimelinePage {
  /** Only events with a larger id. */
  readonly after?: number;
  /** Default 100. */
  readonly limit?: number;
}

export interface Timeline {
  /** The record asked for; its Salesforce type is null when neither a link nor the caller knew it. */
  readonly record: {
    readonly system: RecordSystem;
    readonly id: string;
    readonly type: PersonObject | null;
  };
  /** The live link the record belongs to, if any. */
  readonly link: Link | null;
  /**
   * The ledger subjects the timeline gathers: the record's key(s), its counterpart's, and those
   * of the records its link moved from or to (a converted Lead, a merged contact).
   */
  readonly subjects: readonly string[];
  /** Oldest first. */
  readonly events: readonly LedgerEvent[];
  /** Pass as `after` for the next page; undefined when this page is the last. */
  readonly next: number | undefined;
}

/**
 * Gathers a record's timeline. The counterpart is the other side of the record's live link, so
 * a Lead created for an Intercom lead shows what happened on both sides. A link move is the same
 * person on a new record, so the records on both ends of every `link.moved` touching the set are
 * gathered too: a Contact's timeline starts with the Lead it was converted from. Dropped links
 * are not followed (the other record may belong to someone else since). A Salesforce record
 * whose type is not known (no link, no type given) gathers the events of both a Lead and a
 * Contact with that id; Salesforce ids are unique across objects, so nothing foreign comes in.
 */
export async function recordTimeline(
  deps: TimelineDeps,
  lookup: RecordLookup,
  page: TimelinePage = {},
): Promise<Timeline> {
  const link =
    (lookup.system === 'intercom'
      ? await deps.links.findByIntercomId(lookup.id)
      : await deps.links.findBySalesforceId(lookup.id)) ?? null;
  const type =
    lookup.system === 'salesforce' ? (link?.salesforceType ?? lookup.type ?? null) : null;

  const own: string[] =
    lookup.system === 'intercom'
      ? [recordKey(lookup)]
      : (type === null ? personObjects : [type]).map((t) =>
          recordKey({ system: 'salesforce', id: lookup.id, type: t }),
        );
  const counterpart =
    link === null
      ? []
      : lookup.system === 'intercom'
        ? [recordKey({ system: 'salesforce', id: link.salesforceId, type: link.salesforceType })]
        : [recordKey({ system: 'intercom', id: link.intercomId })];
  const subjects = await withMoves(deps.events, [...own, ...counterpart]);

  const limit = page.limit ?? 100;
  // One query per subject, each asking one more than a page, then merged in ledger order:
  // the first `limit` of the merge are the page, and anything beyond says there is a next.
  const lists = await Promise.all(
    subjects.map((subject) =>
      deps.events.list({
        subject,
        limit: limit + 1,
        ...(page.after === undefined ? {} : { after: page.after }),
      }),
    ),
  );
  const merged = lists.flat().sort((a, b) => a.id - b.id);
  const events = merged.slice(0, limit);
  const next = merged.length > limit ? events.at(-1)?.id : undefined;
  return { record: { system: lookup.system, id: lookup.id, type }, link, subjects, events, next };
}

/** The keys of the link sides a `link.moved` event names (`from` and `to`, each a link). */
function keysOfMove(event: LedgerEvent): string[] {
  const keys: string[] = [];
  for (const end of [event.data['from'], event.data['to']]) {
    const side = (end ?? {}) as Record<string, unknown>;
    const { intercomId, salesforceId, salesforceType } = side;
    if (typeof intercomId === 'string')
      keys.push(recordKey({ system: 'intercom', id: intercomId }));
    const type = personObjects.find((object) => object === salesforceType);
    if (typeof salesforceId === 'string' && type !== undefined)
      keys.push(recordKey({ system: 'salesforce', id: salesforceId, type }));
  }
  return keys;
}

/**
 * The keys, plus every key joined to them through link moves, to a fixpoint. Moves are rare next
 * to other events, so reading them all (by kind, in pages) is cheaper than a per-record index.
 */
async function withMoves(
  events: Pick<EventsRepository, 'list'>,
  keys: readonly string[],
): Promise<string[]> {
  const moves: string[][] = [];
  for (let after: number | undefined; ;) {
    const page = await events.list({
      kind: 'link.moved',
      limit: 1000,
      ...(after === undefined ? {} : { after }),
    });
    moves.push(...page.map(keysOfMove));
    if (page.length < 1000) break;
    after = page.at(-1)?.id;
  }
  const found = new Set(keys);
  for (let grew = true; grew;) {
    grew = false;
    for (const move of moves) {
      if (!move.some((key) => found.has(key))) continue;
      for (const key of move) {
        if (found.has(key)) continue;
        found.add(key);
        grew = true;
      }
    }
  }
  return [...found];
}
