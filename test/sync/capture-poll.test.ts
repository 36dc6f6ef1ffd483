import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../emulators/salesforce/index.ts';
import { createSalesforceConnector, type SalesforceConnector } from '../../src/connectors/index.ts';
import type { Store } from '../../src/store/index.ts';
import {
  checkpointNames,
  pollSalesforce,
  type PollCheckpoint,
  type SalesforcePollDeps,
} from '../../src/sync/capture/index.ts';
import { openTestStore, recordingJobs, silentLog } from './capture-support.ts';

for (const variable of ['https_proxy', 'http_proxy', 'HTTPS_PROXY', 'HTTP_PROXY'])
  delete process.env[variable];

// The emulator's clock, moved by the tests: SystemModstamp comes from it.
let clock = Date.UTC(2026, 2, 10, 9, 0, 0);
const second = 1000;
const overlapMs = 60 * second;

describe('Salesforce SystemModstamp poll', () => {
  let emu: SalesforceEmulator;
  let sf: SalesforceConnector;
  let store: Store;
  let closeStore: () => Promise<void>;

  const deps = (
    jobs = recordingJobs(),
  ): SalesforcePollDeps & {
    jobs: ReturnType<typeof recordingJobs>;
  } => ({
    connector: sf,
    checkpoints: store.checkpoints,
    events: store.events,
    jobs,
    log: silentLog,
    now: () => clock,
    overlapMs,
  });

  const create = async (object: 'Lead' | 'Contact', lastName: string) => {
    const fields =
      object === 'Lead' ? { LastName: lastName, Company: 'Poll' } : { LastName: lastName };
    const [result] = await sf.create(object, [fields]);
    assert.ok(result?.ok, JSON.stringify(result));
    return result.value.id;
  };

  const poll = async (object: 'Lead' | 'Contact', d = deps()) => {
    const outcome = await pollSalesforce(d, object);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    return { ...outcome, jobs: d.jobs };
  };

  before(async () => {
    emu = await startSalesforceEmulator({ port: 0, seed: 'empty', now: () => clock });
    const c = emu.credentials;
    sf = createSalesforceConnector({
      loginUrl: emu.url,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      username: c.username,
      password: c.password,
      apiVersion: c.apiVersion,
      callOptionsClient: 'tandem',
      maxRetries: 0,
    });
    ({ store, close: closeStore } = await openTestStore());
  });
  after(async () => {
    await emu.close();
    await closeStore();
  });

  it('finds a Lead and a Contact changed while no CDC subscriber ran', async () => {
    assert.deepEqual((await poll('Lead')).queued, []);
    assert.deepEqual((await poll('Contact')).queued, []);
    clock += second;
    const lead = await create('Lead', 'Missed');
    const contact = await create('Contact', 'Missed');
    const leads = await poll('Lead');
    assert.deepEqual(leads.queued, [lead]);
    assert.deepEqual(leads.jobs.added[0], {
      task: 'sync.salesforce.record',
      payload: { salesforceId: lead, type: 'Lead' },
      options: { jobKey: `salesforce:Lead:${lead}`, lane: 'live' },
    });
    assert.deepEqual((await poll('Contact')).queued, [contact]);
    const ledger = await store.events.list({ subject: `salesforce:Lead:${lead}` });
    assert.equal(ledger[0]?.data['source'], 'salesforce.poll');
  });

  it('does not queue an unchanged record again on the next sweep, and queues it once it changes', async () => {
    clock += second;
    const id = await create('Lead', 'Seen');
    assert.deepEqual((await poll('Lead')).queued, [id]);
    assert.deepEqual((await poll('Lead')).queued, []);
    clock += second;
    const [updated] = await sf.update('Lead', [{ Id: id, Title: 'Changed' }]);
    assert.ok(updated?.ok);
    assert.deepEqual((await poll('Lead')).queued, [id]);
  });

  it('reaches back only as far as the overlap window behind the watermark', async () => {
    clock += second;
    const early = await create('Lead', 'Early');
    clock += 2 * overlapMs;
    const late = await create('Lead', 'Late');
    assert.deepEqual((await poll('Lead')).queued, [early, late]);
    const checkpoint = (await store.checkpoints.get(checkpointNames.salesforcePoll('Lead')))
      ?.value as PollCheckpoint;
    assert.equal(checkpoint.watermark, clock);
    assert.deepEqual(
      Object.keys(checkpoint.seen),
      [late],
      'the early record fell out of the window',
    );
    assert.deepEqual((await poll('Lead')).queued, [], 'nothing before the window comes back');
  });

  it('finds a Lead deleted while no CDC subscriber ran, once', async () => {
    clock += second;
    const id = await create('Lead', 'Deleted');
    assert.deepEqual((await poll('Lead')).queued, [id]);
    clock += second;
    const [destroyed] = await sf.destroy('Lead', [id]);
    assert.ok(destroyed?.ok, JSON.stringify(destroyed));
    // /deleted covers whole minutes: the deletion shows once its minute is over.
    clock += 60 * second + second;
    const found = await poll('Lead');
    assert.deepEqual(found.queued, [id]);
    assert.deepEqual(found.jobs.added[0]?.payload, { salesforceId: id, type: 'Lead' });
    assert.deepEqual((await poll('Lead')).queued, [], 'not again');
  });

  it('does not advance the watermark when another process moved it since it was read', async () => {
    clock += second;
    await create('Lead', 'Raced');
    const racing = deps();
    const real = store.checkpoints;
    const outcome = await pollSalesforce(
      {
        ...racing,
        checkpoints: {
          ...real,
          // Another process writes between our read and our write.
          get: async (name) => {
            const read = await real.get(name);
            await real.set(name, read?.value);
            return read;
          },
        },
      },
      'Lead',
    );
    assert.ok(outcome.ok);
    assert.equal(outcome.advanced, false);
  });
});
