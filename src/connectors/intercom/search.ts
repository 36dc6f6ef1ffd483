// Contact search on `updated_at`. On API 2.14 Intercom matches timestamps by calendar day in the
// workspace's timezone: `updated_at > t` starts at the day *after* t's day, so a change later on
// t's own day would be missed. We ask from the day before t's day (`>` then starts at t's day),
// sort ascending, then keep only contacts updated at or after t, once each (cursors are stateless
// and may repeat a contact between pages).

const daySeconds = 86_400;

/** The `updated_at >` value that makes a day-granular search include every second from `since`. */
export function dayOverlapBound(sinceSeconds: number): number {
  const startOfDay = Math.floor(sinceSeconds / daySeconds) * daySeconds;
  return startOfDay - daySeconds;
}

export interface SearchFilter {
  readonly field: string;
  readonly operator: string;
  readonly value: unknown;
}

export type SearchQuery =
  SearchFilter | { readonly operator: 'AND' | 'OR'; readonly value: readonly SearchQuery[] };

export function updatedSinceQuery(sinceSeconds: number, role?: 'user' | 'lead'): SearchQuery {
  const updated: SearchFilter = {
    field: 'updated_at',
    operator: '>',
    value: dayOverlapBound(sinceSeconds),
  };
  if (!role) return updated;
  return { operator: 'AND', value: [updated, { field: 'role', operator: '=', value: role }] };
}

/** Keeps contacts with `updated_at >= since`, each id+updated_at once. */
export class SeenFilter {
  readonly #since: number;
  readonly #seen = new Set<string>();

  constructor(sinceSeconds: number) {
    this.#since = sinceSeconds;
  }

  keep<T extends { readonly id: string; readonly updated_at: number }>(
    contacts: readonly T[],
  ): T[] {
    const kept: T[] = [];
    for (const contact of contacts) {
      if (contact.updated_at < this.#since) continue;
      const key = `${contact.id}@${contact.updated_at}`;
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      kept.push(contact);
    }
    return kept;
  }
}
