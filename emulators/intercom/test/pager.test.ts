import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareKeys, pageSorted, type SortKey } from '../pager.ts';

describe('cursor paging without a full sort', () => {
  it('returns the same pages as sorting everything, in both orders, with ties on the key', () => {
    let state = 7;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const items = Array.from({ length: 997 }, (_, seq) => ({
      seq,
      value: Math.floor(random() * 50),
    }));
    const key = (item: { seq: number; value: number }): SortKey => [item.value, item.seq];
    for (const descending of [false, true]) {
      const expected = [...items]
        .sort((a, b) => compareKeys(key(a), key(b), descending))
        .map((i) => i.seq);
      const seen: number[] = [];
      let after: SortKey | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = pageSorted(items, key, { descending, size: 40, after });
        assert.equal(page.total, items.length);
        assert.equal(page.start, seen.length);
        seen.push(...page.data.map((i) => i.seq));
        if (page.next === undefined) break;
        after = page.next;
      }
      assert.deepEqual(seen, expected);
    }
  });
});
