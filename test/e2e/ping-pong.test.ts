// No ping-pong, end to end: a live Tandem on both emulators, changes captured the way production
// captures them (Intercom webhooks; Salesforce Change Data Capture over CometD, with the
// SystemModstamp poll and the Intercom sweep running every few seconds underneath). A field edited
// once on one side is written once on the other, and then nothing moves for 30 seconds.
// Each direction gets its own emulators and Tandem, so the write counts of the emulators' stats
// belong to that direction alone; the two run concurrently.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { unwrap } from '../../src/connectors/index.ts';
import { waitFor } from '../queue/support/wait.ts';
import { linkedPair, settle, startLiveWorld, type LiveWorld } from './live-world.ts';

const watchMs = 30_000;

async function world(): Promise<LiveWorld> {
  return startLiveWorld({
    settings: {
      matching: { mode: 'email' },
      mappings: {
        Contact: [
          { intercom: 'phone', salesforce: 'Phone', direction: 'both', conflictPolicy: 'latest' },
        ],
      },
    },
    // The safety nets run during the watch too: whatever they queue must not write either.
    env: { TANDEM_SALESFORCE_POLL_SECONDS: '5', TANDEM_INTERCOM_SWEEP_SECONDS: '5' },
  });
}

describe('people sync, live on both emulators', { concurrency: true }, () => {
  it('writes an Intercom edit to Salesforce exactly once, and nothing is written on either side over the next 30 seconds', async () => {
    const w = await world();
    try {
      const { intercomId, contactId } = await linkedPair(w, {
        email: 'ivy@pingpong.test',
        name: 'Ivy Webhook',
        phone: '+1 555 0100',
      });
      await settle(w);
      const before = await w.writes();

      unwrap(await w.intercomUser.updateContact(intercomId, { phone: '+1 555 0177' }));
      const phone = async () =>
        (await w.records('Contact')).find((r) => r['Id'] === contactId)?.['Phone'];
      await waitFor(
        'the Salesforce Contact to get the new phone',
        async () => {
          return (await phone()) === '+1 555 0177';
        },
        20_000,
      );
      const written = await w.writes();
      assert.deepEqual(
        {
          salesforce: written.salesforce - before.salesforce,
          intercom: written.intercom - before.intercom,
        },
        { salesforce: 1, intercom: 1 },
        'one write to Salesforce by Tandem; the one Intercom write is the edit itself',
      );

      await sleep(watchMs);
      const after = await w.writes();
      assert.deepEqual(after, written, 'no write back, and no further write on either side');
      assert.equal(await phone(), '+1 555 0177');
      assert.equal((await w.intercomContact(intercomId))?.['phone'], '+1 555 0177');
    } finally {
      await w.close();
    }
  });

  it('writes a Salesforce edit to Intercom exactly once through change data capture, and nothing is written on either side over the next 30 seconds', async () => {
    const w = await world();
    try {
      const { intercomId, contactId } = await linkedPair(w, {
        email: 'cody@pingpong.test',
        name: 'Cody Capture',
        phone: '+1 555 0200',
      });
      await settle(w);
      const before = await w.writes();

      unwrap(
        (await w.salesforceUser.update('Contact', [{ Id: contactId, Phone: '+1 555 0288' }]))[0]!,
      );
      const phone = async () => (await w.intercomContact(intercomId))?.['phone'];
      await waitFor(
        'the Intercom contact to get the new phone',
        async () => {
          return (await phone()) === '+1 555 0288';
        },
        20_000,
      );
      const written = await w.writes();
      assert.deepEqual(
        {
          salesforce: written.salesforce - before.salesforce,
          intercom: written.intercom - before.intercom,
        },
        { salesforce: 1, intercom: 1 },
        'one write to Intercom by Tandem; the one Salesforce write is the edit itself',
      );

      await sleep(watchMs);
      const after = await w.writes();
      assert.deepEqual(after, written, 'no write back, and no further write on either side');
      assert.equal(await phone(), '+1 555 0288');
      const record = (await w.records('Contact')).find((r) => r['Id'] === contactId);
      assert.equal(record?.['Phone'], '+1 555 0288');
    } finally {
      await w.close();
    }
  });
});
