// Crash safety of the backfill: `tandem backfill --direction both` (its own process) is SIGKILLed
// at seeded moments and run again, which resumes; or Salesforce sessions expire while it runs.
// It ends where an uninterrupted backfill of the same drifted systems ends: no duplicate, no
// person or field missed. `npm run test:crash` runs many more.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { makeDrift, runBackfill, type BackfillReport } from './backfill.ts';
import { verdict } from './live.ts';

const drift = makeDrift(5);
// Collections, Bulk API 2.0 (from 100 records), collections.
const killRuns = [
  { seed: 401, bulkThreshold: undefined },
  { seed: 402, bulkThreshold: 100 },
  { seed: 403, bulkThreshold: undefined },
] as const;

describe('backfill killed with SIGKILL and run again', () => {
  let reference: BackfillReport & { writes: number };
  let killed: BackfillReport[];
  let expired: BackfillReport;

  before(async () => {
    reference = await runBackfill('uninterrupted backfill', { drift, seed: 400 });
    [expired, ...killed] = await Promise.all([
      runBackfill('backfill with expiring tokens', {
        drift,
        seed: 404,
        tokenExpiries: 3,
        salesforceFlow: 'web_server',
      }),
      ...killRuns.map(({ seed, bulkThreshold }) =>
        runBackfill(
          `backfill kill seed ${seed}${bulkThreshold ? ' (Bulk API)' : ''}`,
          { drift, seed, kills: 2, ...(bulkThreshold ? { bulkThreshold } : {}) },
          reference.writes,
        ),
      ),
    ]);
    for (const report of [reference, ...killed, expired])
      console.log(verdict(report, reference.snapshot).line);
  });

  it('an uninterrupted backfill brings both systems into step, once', () => {
    assert.equal(reference.exitCode, 0, reference.output);
    assert.deepEqual(reference.duplicates, []);
    assert.deepEqual(reference.lost, []);
  });

  for (const [n, { seed }] of killRuns.entries()) {
    it(`resumes after two SIGKILLs (seed ${seed}) and ends where the uninterrupted backfill ends, with no duplicate and nothing missed`, () => {
      const report = killed[n]!;
      assert.equal(report.kills, 2, `killed twice:\n${report.output}`);
      assert.ok(report.resumed, 'the second run resumed the interrupted backfill');
      assert.equal(report.exitCode, 0, report.output);
      assert.deepEqual(report.duplicates, [], 'no email has two Salesforce records');
      assert.deepEqual(report.lost, [], 'every person and field is in step');
      assert.deepEqual(report.snapshot, reference.snapshot, 'the same final state');
    });
  }

  it('refreshes expired Salesforce sessions mid-backfill and completes with nothing missed', () => {
    assert.equal(expired.tokenExpiries, 3, 'every access token expired three times');
    assert.equal(expired.starts, 1, 'one run, never restarted');
    assert.equal(expired.exitCode, 0, expired.output);
    // One token call was `tandem connect`'s code exchange; the others are refreshes. Two expiries
    // with no Salesforce call between them need only one refresh, so there may be fewer than
    // expiries; completing with the same final state shows every expired session was renewed.
    assert.ok(
      expired.tokenCalls - 1 >= 1,
      `Tandem refreshed its session (${expired.tokenCalls - 1} refreshes for ${expired.tokenExpiries} expiries)`,
    );
    assert.deepEqual(expired.duplicates, []);
    assert.deepEqual(expired.lost, []);
    assert.deepEqual(expired.snapshot, reference.snapshot);
  });
});
