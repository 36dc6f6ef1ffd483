import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  control,
  salesforcePasswordArgs,
  startEmulators,
  Workspace,
  type Emulators,
} from './support.ts';

let emulators: Emulators;
before(async () => {
  emulators = await startEmulators();
});
after(async () => {
  await emulators.close();
});

describe('tandem status', () => {
  it('shows the Salesforce API usage, the share left and what is paused', async () => {
    const workspace = new Workspace();
    const connected = await workspace.run(salesforcePasswordArgs(emulators.salesforce));
    assert.equal(connected.code, 0, connected.stderr);
    await control(emulators.salesforce.url, 'limits', { max: 10_000, used: 4_200 });

    const text = await workspace.run(['status']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Tandem's share: 5000 calls \(50%\)/);
    assert.match(text.stdout, /Budget: live_paused; paused: live, bulk/);

    const json = await workspace.run(['status', '--json'], {
      env: { TANDEM_SALESFORCE_API_SHARE_PERCENT: '100' },
    });
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout) as { share: number; level: string; paused: string[] };
    assert.equal(body.share, 10_000);
    assert.equal(body.level, 'bulk_paused');
    assert.deepEqual(body.paused, ['bulk']);
  });

  it('says so when Salesforce is not connected', async () => {
    const result = await new Workspace().run(['status']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /tandem connect salesforce/);
  });
});
