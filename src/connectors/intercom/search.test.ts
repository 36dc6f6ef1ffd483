import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayOverlapBound, SeenFilter, updatedSinceQuery } from './search.ts';

describe('updated_at search with day-granular dates', () => {
  it('asks from the end of the day before, so that `>` starts at the day of since', () => {
    const since = Date.UTC(2026, 2, 11, 10, 30) / 1000;
    assert.equal(dayOverlapBound(since), Date.UTC(2026, 2, 10) / 1000);
    assert.equal(dayOverlapBound(Date.UTC(2026, 2, 11) / 1000), Date.UTC(2026, 2, 10) / 1000);
  });

  it('adds the role as a second filter when given', () => {
    assert.deepEqual(updatedSinceQuery(86_400 * 3, 'lead'), {
      operator: 'AND',
      value: [
        { field: 'updated_at', operator: '>', value: 86_400 * 2 },
        { field: 'role', operator: '=', value: 'lead' },
      ],
    });
  });

  it('keeps contacts updated at or after since, each id and updated_at once across pages', () => {
    const filter = new SeenFilter(100);
    assert.deepEqual(
      filter
        .keep([
          { id: 'a', updated_at: 99 },
          { id: 'b', updated_at: 100 },
          { id: 'c', updated_at: 150 },
        ])
        .map((c) => c.id),
      ['b', 'c'],
    );
    assert.deepEqual(
      filter
        .keep([
          { id: 'c', updated_at: 150 },
          { id: 'c', updated_at: 160 },
        ])
        .map((c) => `${c.id}@${c.updated_at}`),
      ['c@160'],
    );
  });
});
