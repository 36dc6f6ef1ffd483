import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import {
  createIntercomConnector,
  type IntercomConnector,
  type IntercomContact,
} from '../../src/connectors/index.ts';
import type { Store } from '../../src/store/index.ts';
import { sweepIntercom, type IntercomSweepDeps } from '../../src/sync/capture/index.ts';
import { openTestStore, recordingJobs, silentLog } from './capture-support.ts';

// 2026-03-10 09:00 UTC: the emulator's clock and the sweep's, moved by the tests.
let clock = Date.UTC(2026, 2, 10, 9, 0, 0);
const minute = 60_000;

describe('Intercom reconciliation sweep', () => {
  let emu: IntercomEmulator;
  let ic: IntercomConnector;
  let store: Store;
  let closeStore: () => Promise<void>;
  let contactId: string;

  const sweep = async (jobs = recordingJobs()) => {
    const deps: IntercomSweepDeps = {
      connector: ic,
      checkpoints: store.checkpoints,
      inbox: store.inbox,
      events: store.events,
      jobs,
      log: silentLog,
      now: () => clock,
      overlapMs: 5 * minute,
    };
    const outcome = await sweepIntercom(deps);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    return { ...outcome, jobs };
  };

  const update = async (id: string, name: string): Promise<IntercomContact> => {
    const result = await ic.updateContact(id, { name });
    assert.ok(result.ok, JSON.stringify(result));
    return result.value;
  };

  before(async () => {
    emu = await startIntercomEmulator({
      port: 0,
      seed: 'demo',
      demoSize: { contacts: 10, companies: 2, conversations: 0 },
      clock: () => clock,
    });
    ic = createIntercomConnector({
      baseUrl: emu.url,
      accessToken: emu.credentials.accessToken,
      now: () => clock,
    });
    ({ store, close: closeStore } = await openTestStore());
    for await (const page of ic.listContacts({ perPage: 1 })) {
      assert.ok(page.ok);
      contactId = page.value[0]?.id ?? '';
      break;
    }
    assert.notEqual(contactId, '');
  });
  after(async () => {
    await emu.close();
    await closeStore();
  });

  it('queues a contact updated later the same day, which a naive updated_at > t search misses', async () => {
    assert.deepEqual((await sweep()).queued, [], 'the seed is older than the first watermark');
    const watermark = clock;
    clock += 60 * minute;
    const updated = await update(contactId, 'Same Day');

    const naive: string[] = [];
    for await (const page of ic.searchContacts({
      field: 'updated_at',
      operator: '>',
      value: Math.floor(watermark / 1000),
    })) {
      assert.ok(page.ok);
      naive.push(...page.value.map((c) => c.id));
    }
    assert.deepEqual(naive, [], 'Intercom compares dates by day');

    const { queued, jobs } = await sweep();
    assert.deepEqual(queued, [contactId]);
    const recordKey = `intercom:contact:${contactId}`;
    const [job] = jobs.added;
    assert.equal(job?.task, 'sync.intercom.contact');
    assert.deepEqual(job?.options, { jobKey: recordKey, lane: 'live' });
    assert.equal(job?.payload['recordKey'], recordKey);
    const inboxEvent = await store.inbox.get(Number(job?.payload['inboxId']));
    assert.equal(inboxEvent?.eventId, `sweep:${contactId}:${updated.updated_at}`);
  });

  it('does not queue the same update again once its job has run', async () => {
    // What the sync.intercom.contact handler does when it runs.
    await store.inbox.markRecordProcessed(`intercom:contact:${contactId}`, Number.MAX_SAFE_INTEGER);
    clock += minute;
    const again = await sweep();
    assert.deepEqual(again.queued, []);
    assert.deepEqual(again.jobs.added, []);
  });

  it('queues a contact again when it changes again', async () => {
    clock += minute;
    await update(contactId, 'Changed Again');
    assert.deepEqual((await sweep()).queued, [contactId]);
  });
});
