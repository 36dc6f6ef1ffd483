// Crash safety of live sync: Tandem (`tandem serve`, its own process) is SIGKILLed at seeded
// moments while people work in both systems, and started again on the same data folder. Once
// it has caught up, both emulators must hold what an uninterrupted run of the same workload
// holds: no duplicate Salesforce record, no lost change. `npm run test:crash` runs many more.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Snapshot } from './drive.ts';
import { runLive, verdict, type RunReport } from './live.ts';
import { makeWorkload } from './workload.ts';
import { writeThenKill } from './write-then-kill.ts';

const workload = makeWorkload(7);
const killSeeds = [101, 102, 103];

describe('live sync killed with SIGKILL and restarted', () => {
  let reference: RunReport;
  let killed: RunReport[];
  let pinned: Snapshot;

  before(async () => {
    // Side by side: each run has its own emulators, data folder and Tandem process.
    let runs: RunReport[];
    [pinned, runs] = await Promise.all([
      writeThenKill(),
      Promise.all([
        runLive('uninterrupted', { workload, seed: 100 }),
        ...killSeeds.map((seed) => runLive(`kill seed ${seed}`, { workload, seed, kills: 2 })),
      ]),
    ]);
    [reference, ...killed] = runs as [RunReport, ...RunReport[]];
    for (const report of [reference, ...killed])
      console.log(verdict(report, reference.snapshot).line);
  });

  it('an uninterrupted run holds every change of the workload, once', () => {
    assert.deepEqual(reference.duplicates, [], 'no email has two Salesforce records');
    assert.deepEqual(reference.lost, [], 'every change of the workload is in both systems');
    assert.deepEqual(reference.needsAttention, []);
  });

  for (const [n, seed] of killSeeds.entries()) {
    it(`ends where the uninterrupted run ends after two SIGKILLs (seed ${seed}), with no duplicate and no lost update`, () => {
      const report = killed[n]!;
      assert.equal(report.kills, 2, 'Tandem was killed twice');
      assert.deepEqual(report.crashes, [], 'Tandem never exited by itself');
      assert.deepEqual(report.duplicates, [], 'no email has two Salesforce records');
      assert.deepEqual(report.lost, [], 'every change of the workload is in both systems');
      assert.deepEqual(report.needsAttention, []);
      assert.deepEqual(report.snapshot, reference.snapshot, 'the same final state');
    });
  }

  it('keeps an Intercom edit back to the old value made while Tandem was down after its Salesforce write landed', () => {
    const snap = pinned;
    const [lead] = Object.values(snap.salesforce)[0] ?? [];
    assert.equal(Object.values(snap.intercom)[0]?.region, 'EMEA', 'the person’s last edit stays');
    assert.equal(lead?.Region__c, 'EMEA', 'and reaches Salesforce');
  });
});
