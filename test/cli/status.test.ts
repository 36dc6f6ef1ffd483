import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  control,
  intercomTokenArgs,
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

  it('shows the rate limit Intercom reports and what is left of its window', async () => {
    const workspace = new Workspace();
    const connected = await workspace.run(salesforcePasswordArgs(emulators.salesforce));
    assert.equal(connected.code, 0, connected.stderr);
    const alone = await workspace.run(['status']);
    assert.match(alone.stdout, /Intercom API: not connected \(tandem connect intercom\)/);

    const intercom = await workspace.run(intercomTokenArgs(emulators.intercom));
    assert.equal(intercom.code, 0, intercom.stderr);
    await control(emulators.intercom.url, 'settings', { rateLimitPerMinute: 600 }, 'PUT');
    try {
      const text = await workspace.run(['status']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(
        text.stdout,
        /Intercom API: 100 calls per 10 s \(X-RateLimit-Limit 600\), \d+ left in this window/,
      );
      const json = await workspace.run(['status', '--json']);
      const body = JSON.parse(json.stdout) as { intercom: { limit: number; perWindow: number } };
      assert.equal(body.intercom.limit, 600);
      assert.equal(body.intercom.perWindow, 100);
    } finally {
      await control(emulators.intercom.url, 'settings', { rateLimitPerMinute: 10_000 }, 'PUT');
    }
  });

  it('shows the latest backfill with its phase and records done', async () => {
    const workspace = new Workspace();
    const connected = await workspace.run(salesforcePasswordArgs(emulators.salesforce));
    assert.equal(connected.code, 0, connected.stderr);
    const before = await workspace.run(['status']);
    assert.match(before.stdout, /Backfill: none yet/);
    await workspace.withStore(async (store) => {
      const backfill = await store.backfills.create({
        direction: 'both',
        objects: ['Lead', 'Contact'],
        phase: 'from_intercom',
        position: null,
      });
      await store.backfills.update(backfill.id, { total: 12_000, done: 4_500, errors: 2 });
    });
    const text = await workspace.run(['status']);
    assert.match(
      text.stdout,
      /Backfill: #1 running \(from_intercom\), 4,500 of 12,000 records, 2 errors/,
    );
    const json = await workspace.run(['status', '--json']);
    const body = JSON.parse(json.stdout) as { backfill: { done: number; phase: string } };
    assert.equal(body.backfill.done, 4_500);
    assert.equal(body.backfill.phase, 'from_intercom');
  });

  it('says so when Salesforce is not connected', async () => {
    const result = await new Workspace().run(['status']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /tandem connect salesforce/);
  });
});
