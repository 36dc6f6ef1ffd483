import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rangeQuery } from './partition.ts';
import type { SearchQuery } from './search.ts';

const daySeconds = 86_400;

/** Intercom's date matching by calendar day in a workspace `offsetHours` from UTC. */
function matchesByDay(query: SearchQuery, createdAt: number, offsetHours: number): boolean {
  if ('field' in query) {
    if (query.field !== 'created_at') return true;
    const day = (t: number) => Math.floor((t + offsetHours * 3600) / daySeconds);
    const value = Number(query.value);
    if (query.operator === '>') return day(createdAt) > day(value);
    if (query.operator === '<') return day(createdAt) < day(value);
    throw new Error(`unexpected operator ${query.operator}`);
  }
  return query.operator === 'AND'
    ? query.value.every((q) => matchesByDay(q, createdAt, offsetHours))
    : query.value.some((q) => matchesByDay(q, createdAt, offsetHours));
}

describe('partitioned contact reading', () => {
  it('asks each range for a superset of its contacts in any workspace time zone', () => {
    const from = Date.UTC(2026, 2, 3) / 1000;
    const to = Date.UTC(2026, 2, 5) / 1000;
    const query = rangeQuery(from, to);
    // Every second-ish around both edges, in time zones from UTC−12 to UTC+14.
    for (let offset = -12; offset <= 14; offset++)
      for (let t = from - daySeconds; t < to + daySeconds; t += 599) {
        const inRange = t >= from && t < to;
        if (inRange)
          assert.ok(
            matchesByDay(query, t, offset),
            `missed ${t} at UTC${offset >= 0 ? '+' : ''}${offset}`,
          );
      }
  });

  it('bounds only the sides a range has, and adds the role when asked', () => {
    assert.deepEqual(rangeQuery(null, null), { field: 'created_at', operator: '>', value: 0 });
    assert.deepEqual(rangeQuery(null, 86_400 * 10, 'lead'), {
      operator: 'AND',
      value: [
        { field: 'created_at', operator: '<', value: 86_400 * 11 },
        { field: 'role', operator: '=', value: 'lead' },
      ],
    });
  });
});
