// Live sync on flaky APIs: 5% of the calls to each emulator fail (5xx, 429, a reset connection,
// or an answer lost after the emulator carried the call out, which is what a call timeout looks
// like to Tandem). Once Tandem has caught up, both systems hold what a run without faults holds.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fivePercent } from './harness.ts';
import { runLive, verdict, type RunReport } from './live.ts';
import { makeWorkload } from './workload.ts';

const workload = makeWorkload(11);

describe('live sync with 5% of API calls failing', () => {
  let clean: RunReport;
  let faulty: RunReport;

  before(async () => {
    [clean, faulty] = await Promise.all([
      runLive('no faults', { workload, seed: 200 }),
      runLive('5% faults', { workload, seed: 201, faults: fivePercent }),
    ]);
    for (const report of [clean, faulty]) console.log(verdict(report, clean.snapshot).line);
  });

  it('injected every kind of fault on both APIs', () => {
    assert.match(faulty.faultsInjected, /Salesforce [1-9]\d* 5xx\/429/);
    assert.match(faulty.faultsInjected, /Intercom [1-9]\d* 5xx\/429/);
    assert.match(faulty.faultsInjected, /resets [1-9]/);
    assert.match(faulty.faultsInjected, /lost answers [1-9]/);
  });

  it('creates no duplicate Salesforce record and never exits', () => {
    assert.deepEqual(faulty.duplicates, [], 'no email has two Salesforce records');
    assert.deepEqual(faulty.crashes, [], 'Tandem never exited');
    assert.deepEqual(clean.lost, []);
  });

  it('loses no change', () => {
    assert.deepEqual(faulty.lost, [], 'every change of the workload is in both systems');
  });

  it('ends in the same final state as the run without faults', () => {
    assert.deepEqual(faulty.snapshot, clean.snapshot);
  });

  it('leaves nothing on the needs-attention list', () => {
    assert.deepEqual(faulty.needsAttention, []);
  });
});
