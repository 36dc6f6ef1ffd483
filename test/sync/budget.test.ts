import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { budgetRecheckMs, defaultBudgetSettings } from '../../src/core/index.ts';
import { unwrap } from '../../src/connectors/index.ts';
import { PostponeError, type Lane } from '../../src/queue/index.ts';
import {
  budgetedSalesforce,
  createBudgetTracker,
  type BudgetTracker,
} from '../../src/sync/budget.ts';
import { checkpointNames, pollSalesforce } from '../../src/sync/capture/index.ts';
import { createPersonSync, type PersonSync } from '../../src/sync/person-sync.ts';
import { waitFor } from '../queue/support/wait.ts';
import { recordingJobs, silentLog } from './capture-support.ts';
import { job, startSyncWorld, type SyncWorld } from './support.ts';

describe('API budget governor in people sync', () => {
  let w: SyncWorld;
  let budget: BudgetTracker;
  let sync: PersonSync;
  const run = (contactId: string, lane: Lane) =>
    sync.tasks['sync.intercom.contact'](
      { recordKey: `intercom:contact:${contactId}` },
      { ...job('sync.intercom.contact'), lane },
    );
  const leadsFor = async (email: string) =>
    (await w.records('Lead')).filter((lead) => lead['Email'] === email);
  /** Sets the emulator's usage and lets the connector read it (a `/limits` call). */
  const setUsage = async (used: number, max: number) => {
    const set = await w.sf.control('limits', { used, max });
    assert.equal(set.status, 200);
    unwrap(await w.salesforce.limits());
  };

  before(async () => {
    w = await startSyncWorld();
    await w.setSettings({
      matching: { mode: 'identifier', identifierField: 'Customer_Number__c' },
      mappings: { Lead: [], Contact: [] },
    });
    budget = createBudgetTracker({ settings: defaultBudgetSettings, events: w.store.events });
    sync = createPersonSync({
      store: w.store,
      openConnections: async () => w.connections,
      markNeedsReconnect: async () => {},
      budget,
    });
  });
  after(() => w.close());

  it('postpones live jobs over 80% of the share while interactive ones run, and says so once', async () => {
    // Limit 10,000, share 5,000: 4,200 used is 84% of the share.
    await setUsage(4_200, 10_000);
    const email = 'budget.one@example.test';
    const contact = unwrap(await w.intercom.createContact({ role: 'lead', email }));

    for (let i = 0; i < 2; i += 1) {
      await assert.rejects(run(contact.id, 'live'), (error: unknown) => {
        assert.ok(error instanceof PostponeError, 'postponed without spending an attempt');
        assert.equal(error.delayMs, budgetRecheckMs);
        assert.match(error.message, /live work is paused/);
        return true;
      });
    }
    assert.equal((await leadsFor(email)).length, 0);
    const paused = await w.events('budget.paused');
    assert.equal(paused.length, 1, 'one ledger event per transition, not per job');
    assert.deepEqual(paused[0]?.data['paused'], ['live', 'bulk']);
    assert.equal(budget.status().level, 'live_paused');

    await run(contact.id, 'interactive');
    assert.equal((await leadsFor(email)).length, 1);
    assert.equal((await w.events('budget.paused')).length, 1);
  });

  it('postpones bulk at 40% and lets live go; every lane waits at 100%; resumes below', async () => {
    await setUsage(2_500, 10_000);
    const email = 'budget.two@example.test';
    const contact = unwrap(await w.intercom.createContact({ role: 'lead', email }));
    await assert.rejects(run(contact.id, 'bulk'), PostponeError);
    await run(contact.id, 'live');
    assert.equal((await leadsFor(email)).length, 1);

    await setUsage(5_000, 10_000);
    for (const lane of ['interactive', 'live', 'bulk'] as const)
      await assert.rejects(run(contact.id, lane), PostponeError);

    await setUsage(100, 10_000);
    await run(contact.id, 'bulk');
    const kinds = (await w.events())
      .filter((event) => event.kind.startsWith('budget.'))
      .map((event) => `${event.kind}:${(event.data['paused'] as string[]).join('+')}`);
    assert.deepEqual(kinds.sort(), [
      'budget.paused:bulk',
      'budget.paused:interactive+live+bulk',
      'budget.paused:live+bulk',
      'budget.resumed:',
    ]);
    assert.equal(budget.status().level, 'open');
  });
});

describe('API budget governor: waiting for a lane', () => {
  let w: SyncWorld;
  // Ends what a test left waiting, so a failing test cannot keep the suite alive.
  const halt = new AbortController();
  const setUsage = async (used: number, max: number) => {
    const set = await w.sf.control('limits', { used, max });
    assert.equal(set.status, 200);
  };
  /** A tracker re-reading `/limits` every 20 ms through budgeted connectors, counting reads. */
  const governed = () => {
    let reads = 0;
    const tracker: BudgetTracker = createBudgetTracker({
      settings: defaultBudgetSettings,
      events: w.store.events,
      recheckMs: 20,
      readUsage: () => {
        reads += 1;
        return salesforce.readUsage();
      },
    });
    const salesforce = budgetedSalesforce(
      () => tracker,
      (options) => w.sf.connector(options),
      halt.signal,
    );
    const connector = salesforce.factory({
      loginUrl: w.sf.url,
      clientId: w.sf.emulator.credentials.clientId,
      clientSecret: w.sf.emulator.credentials.clientSecret,
      username: w.sf.emulator.credentials.username,
      password: w.sf.emulator.credentials.password,
      apiVersion: w.sf.emulator.credentials.apiVersion,
      callOptionsClient: 'tandem',
      maxRetries: 0,
    });
    /** `/limits` through the connector, its reading given to the tracker. */
    const read = async () => {
      unwrap(await connector.limits());
      tracker.observe(connector.usage());
    };
    return { tracker, connector, read, reads: () => reads };
  };

  before(async () => {
    w = await startSyncWorld();
  });
  after(async () => {
    halt.abort(new Error('suite over'));
    await w.close();
  });

  it('holds a paused backfill in waitForLane until a fresh /limits reading shows room', async () => {
    const { tracker, reads, read } = governed();
    // Limit 10,000, share 5,000: 2,500 used is 50% of the share, over the bulk threshold.
    await setUsage(2_500, 10_000);
    await read();
    let admitted = false;
    const waiting = tracker.waitForLane('bulk', halt.signal).then(() => (admitted = true));
    waiting.catch(() => {});
    await waitFor('a few re-reads of /limits', () => reads() >= 3);
    assert.equal(admitted, false, 'bulk waits while usage stays over its threshold');
    assert.deepEqual(tracker.status().paused, ['bulk']);

    await setUsage(300, 10_000);
    await waitFor('bulk to be admitted', () => admitted);
    await waiting;
    assert.equal(tracker.status().level, 'open');
  });

  it('rejects waitForLane with the reason when its signal aborts', async () => {
    const { tracker, read } = governed();
    await setUsage(4_500, 10_000);
    await read();
    const controller = new AbortController();
    let outcome: unknown;
    tracker.waitForLane('live', controller.signal).then(
      () => (outcome = 'admitted'),
      (error: unknown) => (outcome = error),
    );
    controller.abort(new Error('backfill cancelled'));
    await waitFor('the wait to end', () => outcome !== undefined);
    assert.match(String(outcome), /backfill cancelled/);
    await assert.rejects(tracker.waitForLane('live', controller.signal), /backfill cancelled/);
  });

  it('makes every Salesforce call but /limits wait at 100% of the share until the window frees', async () => {
    const { tracker, connector, reads, read } = governed();
    const leads = () => w.sf.calls('GET /services/data/vXX.X/query');
    await setUsage(5_200, 10_000);
    await read();
    assert.equal(tracker.status().level, 'exhausted');
    const before = await leads();
    let answered = false;
    const query = (async () => {
      for await (const page of connector.query('SELECT Id FROM Lead')) {
        answered = true;
        return page;
      }
      return undefined;
    })();
    query.catch(() => {});
    await waitFor('a few re-reads of /limits', () => reads() >= 3);
    assert.equal(answered, false, 'the query waits');
    assert.equal(await leads(), before, 'the query has not reached Salesforce');

    await setUsage(1_000, 10_000);
    await waitFor('the query to be answered', () => answered);
    const page = await query;
    assert.ok(page?.ok, 'the query runs once the share has room');
    assert.equal(await leads(), before + 1);
  });

  it('skips the SystemModstamp poll while live work is paused, and polls again after', async () => {
    const { tracker, connector, read } = governed();
    const deps = {
      connector,
      checkpoints: w.store.checkpoints,
      events: w.store.events,
      jobs: recordingJobs(),
      log: silentLog,
      now: Date.now,
      overlapMs: 60_000,
      budget: tracker,
    };
    await setUsage(4_200, 10_000);
    await read();
    const paused = await pollSalesforce(deps, 'Lead');
    assert.deepEqual(paused, { ok: true, queued: [], advanced: false, paused: true });
    assert.equal(await w.store.checkpoints.get(checkpointNames.salesforcePoll('Lead')), undefined);

    await setUsage(100, 10_000);
    await read();
    const polled = await pollSalesforce(deps, 'Lead');
    assert.ok(polled.ok && polled.paused === undefined && polled.advanced);
  });
});
