import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChangeEvent, SalesforceConnector } from '../../src/connectors/index.ts';
import type { Store } from '../../src/store/index.ts';
import {
  captureChangeEvent,
  createCdcSubscriber,
  readReplayId,
  type CdcSubscriber,
  type JobSink,
} from '../../src/sync/capture/index.ts';
import {
  eventually,
  startSalesforceHarness,
  type SalesforceHarness,
} from '../connectors/salesforce-harness.ts';
import { eventuallyAsync, openTestStore, recordingJobs, silentLog } from './capture-support.ts';

const lead = '/data/LeadChangeEvent';
const contact = '/data/ContactChangeEvent';

async function createRecord(
  sf: SalesforceConnector,
  object: 'Lead' | 'Contact',
  lastName: string,
): Promise<string> {
  const fields =
    object === 'Lead' ? { LastName: lastName, Company: 'CDC' } : { LastName: lastName };
  const [result] = await sf.create(object, [fields]);
  assert.ok(result?.ok, JSON.stringify(result));
  return result.value.id;
}

async function updateLead(sf: SalesforceConnector, id: string, title: string): Promise<void> {
  const [result] = await sf.update('Lead', [{ Id: id, Title: title }]);
  assert.ok(result?.ok, JSON.stringify(result));
}

describe('Salesforce change capture through CDC', () => {
  let h: SalesforceHarness;
  let sf: SalesforceConnector;
  let store: Store;
  let closeStore: () => Promise<void>;
  const subscribers: CdcSubscriber[] = [];

  const subscriber = (jobs: JobSink, overrides: { onOverflow?: () => void } = {}) => {
    const s = createCdcSubscriber({
      connector: sf,
      checkpoints: store.checkpoints,
      inbox: store.inbox,
      events: store.events,
      jobs,
      log: silentLog,
      onOverflow: overrides.onOverflow ?? (() => {}),
      onNeedsReconnect: () => assert.fail('no grant is refused here'),
      reconnect: { baseMs: 50, maxMs: 200 },
    });
    subscribers.push(s);
    return s;
  };

  before(async () => {
    h = await startSalesforceHarness();
    sf = h.connector();
    ({ store, close: closeStore } = await openTestStore());
  });
  after(async () => {
    for (const s of subscribers) await s.stop();
    await new Promise((r) => setTimeout(r, 200));
    await h.close();
    await closeStore();
  });

  it('turns a Lead changed through REST into one job for that record and checkpoints the replay id', async () => {
    const jobs = recordingJobs();
    const s = subscriber(jobs);
    await s.start();
    assert.equal(s.state(lead), 'subscribed');
    assert.equal(s.state(contact), 'subscribed');
    const id = await createRecord(sf, 'Lead', 'Captured');
    await eventually(() => jobs.added.length >= 1);
    assert.deepEqual(jobs.added[0], {
      task: 'sync.salesforce.record',
      payload: { salesforceId: id, type: 'Lead', inboxId: jobs.added[0]?.payload['inboxId'] },
      options: { jobKey: `salesforce:Lead:${id}`, lane: 'live' },
    });
    assert.equal(jobs.added.length, 1);
    const [stored] = await store.inbox.pending({ recordKey: `salesforce:Lead:${id}` });
    assert.equal(stored?.id, jobs.added[0]?.payload['inboxId'], 'the job names the stored event');
    const subject = `salesforce:Lead:${id}`;
    await eventuallyAsync(async () => (await store.events.list({ subject })).length > 0);
    const ledger = await store.events.list({ subject });
    assert.equal(ledger.length, 1);
    assert.equal(ledger[0]?.kind, 'change.captured');
    assert.equal(ledger[0]?.data['changeType'], 'CREATE');
    assert.equal(ledger[0]?.data['fromTandem'], true, 'the harness connector writes as tandem');
    assert.match(String(ledger[0]?.data['changeOrigin']), /client=tandem/);
    const replayId = ledger[0]?.data['replayId'];
    assert.equal(stored?.eventId, `${lead}:${String(replayId)}`);
    await eventuallyAsync(async () => (await readReplayId(store.checkpoints, lead)) === replayId);
    await s.stop();
  });

  it('queues a Contact change under the Contact type', async () => {
    const jobs = recordingJobs();
    const s = subscriber(jobs);
    await s.start();
    const id = await createRecord(sf, 'Contact', 'Contacted');
    await eventually(() => jobs.keys().includes(`salesforce:Contact:${id}`));
    assert.equal(jobs.added.at(-1)?.payload['type'], 'Contact');
    assert.equal(jobs.added.at(-1)?.payload['salesforceId'], id);
    await s.stop();
  });

  it('resumes from the checkpoint after a restart: changes made while stopped arrive, none twice', async () => {
    const first = recordingJobs();
    const s1 = subscriber(first);
    await s1.start();
    const before = await createRecord(sf, 'Lead', 'Before Stop');
    await eventually(() => first.keys().includes(`salesforce:Lead:${before}`));
    await s1.stop();

    const whileStopped = [
      await createRecord(sf, 'Lead', 'While Stopped One'),
      await createRecord(sf, 'Lead', 'While Stopped Two'),
    ];
    await updateLead(sf, before, 'Updated While Stopped');

    const second = recordingJobs();
    const s2 = subscriber(second);
    await s2.start();
    await eventually(() => second.added.length >= 3);
    const after = await createRecord(sf, 'Lead', 'After Restart');
    await eventually(() => second.keys().includes(`salesforce:Lead:${after}`));
    assert.deepEqual(second.keys(), [
      ...whileStopped.map((id) => `salesforce:Lead:${id}`),
      `salesforce:Lead:${before}`,
      `salesforce:Lead:${after}`,
    ]);
    await s2.stop();
  });

  it('subscribes again from the checkpoint when an event cannot be stored, skipping nothing', async () => {
    const jobs = recordingJobs();
    let failures = 1;
    const flaky: JobSink = {
      add: async (task, payload, options) => {
        if (failures > 0) {
          failures--;
          throw new Error('database unavailable');
        }
        return jobs.add(task, payload, options);
      },
    };
    const s = subscriber(flaky);
    await s.start();
    const one = await createRecord(sf, 'Lead', 'Flaky One');
    const two = await createRecord(sf, 'Lead', 'Flaky Two');
    await eventually(() => jobs.keys().includes(`salesforce:Lead:${two}`));
    assert.deepEqual(jobs.keys(), [`salesforce:Lead:${one}`, `salesforce:Lead:${two}`]);
    const subject = `salesforce:Lead:${one}`;
    await eventuallyAsync(
      async () => (await store.events.list({ subject, kind: 'change.captured' })).length > 0,
    );
    await s.stop();
  });

  it('pauses and asks for a reconnect when Salesforce refuses the stored grant', async () => {
    const grant = await h.refreshToken();
    const revoked = await fetch(`${h.url}/services/oauth2/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: grant.refreshToken }),
    });
    assert.equal(revoked.status, 200);
    await h.control('expire-tokens', {});
    const refused: string[] = [];
    const s = createCdcSubscriber({
      connector: h.connector({
        instanceUrl: grant.instanceUrl,
        accessToken: grant.accessToken,
        refreshToken: grant.refreshToken,
      }),
      checkpoints: store.checkpoints,
      inbox: store.inbox,
      events: store.events,
      jobs: recordingJobs(),
      log: silentLog,
      channels: [lead],
      onOverflow: () => {},
      onNeedsReconnect: (error) => void refused.push(error.code),
      reconnect: { baseMs: 50, maxMs: 200 },
    });
    subscribers.push(s);
    await s.start();
    await eventually(() => refused.length > 0);
    assert.deepEqual(refused, ['auth_failed']);
    assert.equal(s.state(lead), 'paused');
    await s.stop();
  });
});

describe('Salesforce gap events', () => {
  const gapEvent = (changeType: string, recordIds: string[], replayId: number): ChangeEvent => ({
    payload: {
      ChangeEventHeader: {
        entityName: 'Lead',
        recordIds,
        changeType,
        changeOrigin: '',
        transactionKey: 't',
        sequenceNumber: 1,
        commitTimestamp: 0,
        commitNumber: 0,
        commitUser: '005',
        changedFields: [],
        nulledFields: [],
        diffFields: [],
      },
    },
    event: { replayId },
  });

  it('answers a GAP_UPDATE with a job per named record, which reads each record again', async () => {
    const { store, close } = await openTestStore();
    const jobs = recordingJobs();
    const deps = { ...store, jobs, onOverflow: () => assert.fail('not an overflow') };
    await captureChangeEvent(deps, lead, gapEvent('GAP_UPDATE', ['00Q1', '00Q2'], 7));
    assert.deepEqual(jobs.keys(), ['salesforce:Lead:00Q1', 'salesforce:Lead:00Q2']);
    assert.equal((await store.events.list({ kind: 'change.gap' })).length, 2);
    assert.equal(await readReplayId(store.checkpoints, lead), 7);
    await close();
  });

  it('answers a GAP_OVERFLOW with a SystemModstamp poll of the object', async () => {
    const { store, close } = await openTestStore();
    const jobs = recordingJobs();
    const polled: string[] = [];
    const deps = { ...store, jobs, onOverflow: (object: string) => void polled.push(object) };
    await captureChangeEvent(deps, lead, gapEvent('GAP_OVERFLOW', [], 9));
    assert.deepEqual(polled, ['Lead']);
    assert.deepEqual(jobs.added, []);
    assert.equal(await readReplayId(store.checkpoints, lead), 9);
    await close();
  });

  it('does not queue an event again when it is replayed after its record was synced', async () => {
    const { store, close } = await openTestStore();
    const jobs = recordingJobs();
    const deps = { ...store, jobs, onOverflow: () => {} };
    const event = gapEvent('UPDATE', ['00Q3'], 11);
    await captureChangeEvent(deps, lead, event);
    // What the sync.salesforce.record handler does when it has run.
    await store.inbox.markRecordProcessed(
      'salesforce:Lead:00Q3',
      Number(jobs.added[0]?.payload['inboxId']),
    );
    await captureChangeEvent(deps, lead, event);
    assert.deepEqual(jobs.keys(), ['salesforce:Lead:00Q3']);
    assert.equal((await store.events.list({ kind: 'change.captured' })).length, 1);
    await close();
  });
});
