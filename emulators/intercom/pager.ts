// Cursor paging over a sorted result: the cursor is the sort key of the last item returned, so
// it is stateless (as Intercom's is: records changing between pages can move past it). A page
// is selected without sorting every match: the `size` smallest keys after the cursor are kept
// in a sorted buffer, so a page of 150 out of a million matches costs one pass.
export type SortKey = [string | number, number];

export function compareKeys(a: SortKey, b: SortKey, descending: boolean): number {
  const order = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
  return descending ? -order : order;
}

export function pageSorted<T>(
  items: Iterable<T>,
  key: (item: T) => SortKey,
  options: { descending: boolean; size: number; after: (string | number)[] | undefined },
): { data: T[]; start: number; next: SortKey | undefined; total: number } {
  const { descending, size } = options;
  const after = options.after?.length === 2 ? (options.after as SortKey) : undefined;
  const best: { item: T; key: SortKey }[] = [];
  let total = 0;
  let before = 0;
  let remaining = 0;
  for (const item of items) {
    total += 1;
    const k = key(item);
    if (after !== undefined && compareKeys(k, after, descending) <= 0) {
      before += 1;
      continue;
    }
    remaining += 1;
    const worst = best.at(-1);
    if (best.length === size && worst !== undefined && compareKeys(k, worst.key, descending) >= 0)
      continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compareKeys((best[middle] as { key: SortKey }).key, k, descending) < 0) low = middle + 1;
      else high = middle;
    }
    best.splice(low, 0, { item, key: k });
    if (best.length > size) best.pop();
  }
  const last = best.at(-1);
  const next = last !== undefined && remaining > size ? last.key : undefined;
  return { data: best.map((entry) => entry.item), start: before, next, total };
}
