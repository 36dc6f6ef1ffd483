import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { budgetRecheckMs, defaultBudgetSettings } from '../../src/core/index.ts';
import { unwrap } from '../../src/connectors/index.ts';
import { RetryAfterError, type Lane } from '../../src/queue/index.ts';
import { createBudgetTracker, type BudgetTracker } from '../../src/sync/budget.ts';
import { createPersonSync, type PersonSync } from '../../src/sync/person-sync.ts';
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
        assert.ok(error instanceof RetryAfterError);
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
    await assert.rejects(run(contact.id, 'bulk'), RetryAfterError);
    await run(contact.id, 'live');
    assert.equal((await leadsFor(email)).length, 1);

    await setUsage(5_000, 10_000);
    for (const lane of ['interactive', 'live', 'bulk'] as const)
      await assert.rejects(run(contact.id, lane), RetryAfterError);

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
