// Reading every contact of a workspace, in parallel. Intercom's list endpoint is one cursor
// (sequential), but contact search takes `created_at` ranges, each with its own cursor: so the
// workspace is cut into created_at ranges read side by side, sorted by created_at ascending.
//
// Search compares dates by calendar day in the workspace's time zone (unknown to us): `>` starts
// at the day after, `<` ends before the day. So each range's query asks for a day more on each
// side than the range, and the range keeps only the contacts whose exact `created_at` falls in
// [from, to): a contact belongs to exactly one range whatever the time zone, and is never read
// twice by two ranges, nor missed between them. `created_at` never changes, so a contact cannot
// move between ranges while they are read; contacts created during the read land in the last,
// open-ended range.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Intercom, IntercomClient } from 'intercom-client';
import { isTransient, ok, type Result } from '../result.ts';
import type { SearchFilter, SearchQuery } from './search.ts';
import type { IntercomContact } from './types.ts';

const daySeconds = 86_400;

/** One range's place: checkpoint every range's cursor, resume from them with `resume`. */
export interface PartitionCursor {
  /** `created_at` (UNIX seconds) the range starts at, inclusive; null: from the first contact. */
  readonly from: number | null;
  /** `created_at` the range ends before; null: open-ended (new contacts land here). */
  readonly to: number | null;
  /** Intercom's cursor of the range's next page; null before its first page. */
  readonly startingAfter: string | null;
  readonly done: boolean;
}

export interface PartitionedOptions {
  /** Contacts a page, at most 150 (the default). */
  readonly perPage?: number;
  /** Only users or only leads. */
  readonly role?: 'user' | 'lead';
  /** Ranges saved by `cursors()`: reads what they had not yet answered (`partitions` is unused). */
  readonly resume?: readonly PartitionCursor[];
  /** Retries of a page after a transient failure (429, 5xx, network), waiting between; default 3. */
  readonly retries?: number;
  readonly signal?: AbortSignal;
}

/** Pages of contacts as they arrive from any range, and the ranges' cursors after them. */
export type PartitionedContacts = AsyncGenerator<Result<IntercomContact[]>, void, undefined> & {
  /**
   * Each range's cursor after the pages answered so far: take it once a page is processed, and
   * pass it as `resume` to read the rest (each contact once) after a restart.
   */
  cursors(): PartitionCursor[];
};

export interface ContactSearchPage {
  readonly contacts: IntercomContact[];
  /** The cursor of the next page; null on the last. */
  readonly next: string | null;
  readonly totalCount: number;
}

export interface IntercomPartitionedReading {
  /**
   * Every contact of the workspace (archived and merged-away ones excepted), read in up to
   * `partitions` created_at ranges side by side, each contact once. An error ends the iteration
   * (after `retries` for transient ones); `cursors()` then says where to resume.
   */
  listContactsPartitioned(partitions: number, options?: PartitionedOptions): PartitionedContacts;
  /** `total_count` of the contact list. */
  countContacts(): Promise<Result<number>>;
  /** One page of a contact search, with the cursor of the next. */
  searchContactsPage(
    query: SearchQuery,
    options?: {
      readonly perPage?: number;
      readonly startingAfter?: string | null;
      readonly sort?: { readonly field: string; readonly order: 'ascending' | 'descending' };
    },
  ): Promise<Result<ContactSearchPage>>;
}

export interface PartitionDeps {
  readonly client: IntercomClient;
  /** The connector's call wrapper: errors mapped to the closed union, bugs rethrown. */
  readonly call: <T>(fn: () => Promise<unknown>) => Promise<Result<T>>;
}

interface RawList {
  readonly data?: IntercomContact[];
  readonly total_count?: number;
  readonly pages?: { readonly next?: { readonly starting_after?: string } | null } | null;
}

interface RangeState {
  readonly from: number | null;
  readonly to: number | null;
  startingAfter: string | null;
  done: boolean;
  /** The last created_at answered, and the ids answered at it: a repeated seam is dropped. */
  lastCreatedAt: number;
  atLast: Set<string>;
}

export function createPartitionedReading(deps: PartitionDeps): IntercomPartitionedReading {
  const reading: IntercomPartitionedReading = {
    async searchContactsPage(query, options = {}) {
      const request = {
        query,
        pagination: {
          per_page: options.perPage ?? 150,
          ...(options.startingAfter ? { starting_after: options.startingAfter } : {}),
        },
        ...(options.sort ? { sort: options.sort } : {}),
      };
      // `sort` is not in the SDK's SearchRequest type, but the SDK sends the body as given.
      const page = await deps.call<{ response: RawList }>(() =>
        deps.client.contacts.search(request as unknown as Intercom.SearchRequest),
      );
      return page.ok ? ok(toPage(page.value.response)) : page;
    },

    async countContacts() {
      const page = await deps.call<{ response: RawList }>(() =>
        deps.client.contacts.list({ per_page: 1 }),
      );
      return page.ok ? ok(page.value.response.total_count ?? 0) : page;
    },

    listContactsPartitioned(partitions, options = {}) {
      // The ranges, planned by the generator on its first step (or the resumed ones).
      const ranges = { states: (options.resume ?? []).map(toState) };
      return Object.assign(merge(reading, partitions, options, ranges), {
        cursors: () => ranges.states.map(toCursor),
      });
    },
  };
  return reading;
}

async function* merge(
  reading: IntercomPartitionedReading,
  partitions: number,
  options: PartitionedOptions,
  ranges: { states: RangeState[] },
): AsyncGenerator<Result<IntercomContact[]>, void, undefined> {
  if (!options.resume) {
    const planned = await plan(
      (query, page) => retrying(options, () => reading.searchContactsPage(query, page)),
      partitions,
      options.role,
    );
    if (!planned.ok) {
      yield planned;
      return;
    }
    ranges.states = planned.value.map(toState);
  }
  const states = ranges.states;
  const perPage = options.perPage ?? 150;
  type Arrival = { readonly index: number; readonly result: Result<ContactSearchPage> };
  const inflight = new Map<number, Promise<Arrival>>();
  const request = (index: number): void => {
    const state = states[index] as RangeState;
    const promise = fetchRange(reading, state, perPage, options).then((result) => ({
      index,
      result,
    }));
    // A range abandoned when the reader stops early must not surface as an unhandled rejection.
    promise.catch(() => undefined);
    inflight.set(index, promise);
  };
  states.forEach((state, index) => {
    if (!state.done) request(index);
  });
  while (inflight.size > 0) {
    const { index, result } = await Promise.race(inflight.values());
    inflight.delete(index);
    if (!result.ok) {
      yield result;
      return;
    }
    const state = states[index] as RangeState;
    const kept = keep(state, result.value.contacts);
    state.startingAfter = result.value.next;
    state.done = result.value.next === null;
    // The range's next page is asked for now, while the caller works on this one.
    if (!state.done) request(index);
    if (kept.length > 0) yield ok(kept);
  }
}

/** One page of a range. */
function fetchRange(
  reading: IntercomPartitionedReading,
  state: RangeState,
  perPage: number,
  options: PartitionedOptions,
): Promise<Result<ContactSearchPage>> {
  return retrying(options, () =>
    reading.searchContactsPage(rangeQuery(state.from, state.to, options.role), {
      perPage,
      startingAfter: state.startingAfter,
      sort: { field: 'created_at', order: 'ascending' },
    }),
  );
}

/** A search call again after a transient failure (429, 5xx, network), `retries` times at most. */
async function retrying<T>(
  options: PartitionedOptions,
  fn: () => Promise<Result<T>>,
): Promise<Result<T>> {
  const retries = options.retries ?? 3;
  let delay = 1_000;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    const result = await fn();
    if (result.ok || !isTransient(result.error) || attempt >= retries) return result;
    const wait =
      result.error.code === 'rate_limited' ? Math.min(result.error.retryAfterMs, 60_000) : delay;
    await sleep(wait, undefined, options.signal ? { signal: options.signal } : {});
    delay *= 2;
  }
}

/** The range's own contacts of a page: created_at in [from, to), not answered before. */
function keep(state: RangeState, contacts: readonly IntercomContact[]): IntercomContact[] {
  const kept: IntercomContact[] = [];
  for (const contact of contacts) {
    const created = contact.created_at;
    if (state.from !== null && created < state.from) continue;
    if (state.to !== null && created >= state.to) continue;
    // Sorted by created_at ascending: anything before the last one answered is a repeat.
    if (created < state.lastCreatedAt) continue;
    if (created === state.lastCreatedAt && state.atLast.has(contact.id)) continue;
    if (created > state.lastCreatedAt) {
      state.lastCreatedAt = created;
      state.atLast = new Set();
    }
    state.atLast.add(contact.id);
    kept.push(contact);
  }
  return kept;
}

/**
 * The search for a range, a day wider on each side than [from, to) so that day-granular matching
 * in any time zone still covers it; `keep` trims it back to the exact range.
 */
export function rangeQuery(
  from: number | null,
  to: number | null,
  role?: 'user' | 'lead',
): SearchQuery {
  const filters: SearchFilter[] = [];
  // `>` starts at the day after the value's day: two days back covers `from`'s whole day and
  // the day before it.
  if (from !== null)
    filters.push({ field: 'created_at', operator: '>', value: from - 2 * daySeconds });
  // `<` ends before the value's day: a day on covers `to`'s whole day.
  if (to !== null) filters.push({ field: 'created_at', operator: '<', value: to + daySeconds });
  // No bound at all: every contact (every contact was created after 1970-01-01).
  if (filters.length === 0) filters.push({ field: 'created_at', operator: '>', value: 0 });
  if (role) filters.push({ field: 'role', operator: '=', value: role });
  const [only] = filters;
  return filters.length === 1 && only ? only : { operator: 'AND', value: filters };
}

/**
 * Cuts the workspace into up to `partitions` ranges of about as many contacts each, on UTC day
 * boundaries: the first and last contacts by created_at give the span, then each boundary is the
 * day where the count of contacts created before it reaches its share (a binary search on
 * `created_at <` day counts, one search call per step).
 */
async function plan(
  search: IntercomPartitionedReading['searchContactsPage'],
  partitions: number,
  role: 'user' | 'lead' | undefined,
): Promise<Result<PartitionCursor[]>> {
  const everything = rangeQuery(null, null, role);
  const single: PartitionCursor[] = [{ from: null, to: null, startingAfter: null, done: false }];
  if (partitions <= 1) return ok(single);
  const first = await search(everything, {
    perPage: 1,
    sort: { field: 'created_at', order: 'ascending' },
  });
  if (!first.ok) return first;
  const last = await search(everything, {
    perPage: 1,
    sort: { field: 'created_at', order: 'descending' },
  });
  if (!last.ok) return last;
  const earliest = first.value.contacts[0];
  const latest = last.value.contacts[0];
  if (!earliest || !latest) return ok(single);
  const total = first.value.totalCount;
  const firstDay = Math.floor(earliest.created_at / daySeconds);
  const lastDay = Math.floor(latest.created_at / daySeconds);

  const before = async (day: number): Promise<Result<number>> => {
    const counted = await search(
      withRole({ field: 'created_at', operator: '<', value: day * daySeconds }, role),
      { perPage: 1 },
    );
    return counted.ok ? ok(counted.value.totalCount) : counted;
  };

  const boundaries: number[] = [];
  let low = firstDay + 1;
  for (let k = 1; k < partitions && low <= lastDay; k++) {
    const target = (total * k) / partitions;
    // The first day in [low, lastDay] with at least `target` contacts created before it.
    let lo = low;
    let hi = lastDay;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const count = await before(mid);
      if (!count.ok) return count;
      if (count.value >= target) hi = mid;
      else lo = mid + 1;
    }
    boundaries.push(lo);
    low = lo + 1;
  }
  const edges = [null, ...boundaries.map((d) => d * daySeconds), null];
  return ok(
    edges.slice(0, -1).map((from, i) => ({
      from,
      to: edges[i + 1] ?? null,
      startingAfter: null,
      done: false,
    })),
  );
}

function withRole(filter: SearchFilter, role: 'user' | 'lead' | undefined): SearchQuery {
  return role
    ? { operator: 'AND', value: [filter, { field: 'role', operator: '=', value: role }] }
    : filter;
}

function toPage(raw: RawList): ContactSearchPage {
  const next = raw.pages?.next?.starting_after;
  return {
    contacts: [...(raw.data ?? [])],
    next: typeof next === 'string' && next !== '' ? next : null,
    totalCount: raw.total_count ?? 0,
  };
}

function toState(cursor: PartitionCursor): RangeState {
  return { ...cursor, lastCreatedAt: -Infinity, atLast: new Set() };
}

function toCursor(state: RangeState): PartitionCursor {
  return {
    from: state.from,
    to: state.to,
    startingAfter: state.startingAfter,
    done: state.done,
  };
}
