// Cursor paging over a sorted result: the cursor is the sort key of the last item returned, so
// it is stateless (as Intercom's is: records changing between pages can move past it).
export type SortKey = [string | number, number];

export function compareKeys(a: SortKey, b: SortKey, descending: boolean): number {
  const order = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
  return descending ? -order : order;
}

export function pageSorted<T>(
  items: T[],
  key: (item: T) => SortKey,
  options: { descending: boolean; size: number; after: (string | number)[] | undefined },
): { data: T[]; start: number; next: SortKey | undefined } {
  const keyed = items.map((item) => ({ item, key: key(item) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key, options.descending));
  let start = 0;
  const after = options.after;
  if (after !== undefined && after.length === 2) {
    start = keyed.findIndex(
      (entry) => compareKeys(entry.key, after as SortKey, options.descending) > 0,
    );
    if (start < 0) start = keyed.length;
  }
  const page = keyed.slice(start, start + options.size);
  const last = page.at(-1);
  const next = last !== undefined && start + options.size < keyed.length ? last.key : undefined;
  return { data: page.map((entry) => entry.item), start, next };
}
