// Salesforce access tokens expiring while live sync runs: Tandem, connected through the browser
// flow (with a refresh token), refreshes its session and carries on; nothing is lost.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runLive, verdict, type RunReport } from './live.ts';
import { makeWorkload } from './workload.ts';

const workload = makeWorkload(13);

describe('live sync while Salesforce sessions expire', () => {
  let report: RunReport;
  let baseline: RunReport;

  before(async () => {
    [baseline, report] = await Promise.all([
      runLive('tokens kept', { workload, seed: 300, salesforceFlow: 'web_server' }),
      runLive('tokens expired 3 times', {
        workload,
        seed: 301,
        salesforceFlow: 'web_server',
        tokenExpiries: 3,
      }),
    ]);
    for (const r of [baseline, report]) console.log(verdict(r, baseline.snapshot).line);
  });

  it('expires every access token three times during the run, and Tandem gets new ones', () => {
    assert.equal(report.tokenExpiries, 3);
    assert.ok(
      report.tokenCalls > baseline.tokenCalls,
      `more token calls than without expiry (${report.tokenCalls} vs ${baseline.tokenCalls})`,
    );
  });

  it('loses no change and creates no duplicate', () => {
    assert.deepEqual(report.duplicates, []);
    assert.deepEqual(report.lost, []);
    assert.deepEqual(report.needsAttention, [], 'no record waits for a reconnect or a replay');
    assert.deepEqual(report.snapshot, baseline.snapshot);
  });
});
