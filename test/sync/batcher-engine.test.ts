// 50 people syncing at once on the embedded job engine, their Lead creations batched into
// sObject Collections calls against the Salesforce emulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unwrap } from '../../src/connectors/index.ts';
import { createEmbeddedEngine, type JobEngine } from '../../src/queue/index.ts';
import { createPersonSync } from '../../src/sync/person-sync.ts';
import {
  createSalesforceBatcher,
  type SalesforceBatcher,
} from '../../src/sync/salesforce-batcher.ts';
import { startSyncWorld, type SyncWorld } from './support.ts';

const people = 50;

describe('batched Salesforce writes on the embedded job engine', () => {
  let w: SyncWorld;
  let engine: JobEngine;
  let batcher: SalesforceBatcher;

  before(async () => {
    w = await startSyncWorld();
    await w.setSettings({
      mappings: {
        Lead: [
          { intercom: 'custom_attributes.plan', salesforce: 'Plan__c', direction: 'to_salesforce' },
        ],
      },
    });
    batcher = createSalesforceBatcher({ windowMs: 200 });
    const sync = createPersonSync({
      store: w.store,
      openConnections: async () => w.connections,
      markNeedsReconnect: async () => {},
      salesforceBatcher: batcher,
    });
    engine = createEmbeddedEngine({
      store: w.store,
      tasks: sync.tasks,
      concurrency: people,
      pollIntervalMs: 50,
    });
  });
  after(async () => {
    await engine.stop({ graceMs: 1000 });
    await batcher.stop();
    await w.close();
  });

  it(`creates ${people} Leads in far fewer collection calls than records`, async () => {
    const emails: string[] = [];
    for (let i = 0; i < people; i++) {
      const email = `batch${i}@example.test`;
      emails.push(email);
      const contact = unwrap(
        await w.intercom.createContact({ role: 'lead', email, custom_attributes: { plan: 'pro' } }),
      );
      const recordKey = `intercom:contact:${contact.id}`;
      await engine.add('sync.intercom.contact', { recordKey }, { jobKey: recordKey });
    }
    const collectionCalls = async () =>
      Object.entries(await w.salesforceCalls())
        .filter(
          ([endpoint]) => endpoint.startsWith('POST ') && endpoint.endsWith('/composite/sobjects'),
        )
        .reduce((sum, [, n]) => sum + n, 0);
    const before = await collectionCalls();
    await engine.start();

    // Polled through the emulator, never timed.
    const created = async () =>
      (await w.records('Lead')).filter((l) => emails.includes(String(l['Email'])));
    const deadline = Date.now() + 30_000;
    let leads = await created();
    while (leads.length < people && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      leads = await created();
    }
    assert.equal(leads.length, people);
    assert.equal(new Set(leads.map((l) => l['Email'])).size, people, 'one Lead per person');
    assert.ok(leads.every((l) => l['Plan__c'] === 'pro'));
    assert.equal((await w.events('lead.created')).length, people);

    const calls = (await collectionCalls()) - before;
    assert.ok(calls >= 1);
    // Unbatched, this is one call per Lead. How many a window gathers depends on how fast the
    // jobs reach their write, which varies with the machine's load: the bound asks only that
    // calls carry two records each on average.
    assert.ok(calls <= people / 2, `${calls} collection calls for ${people} Leads`);
  });
});
