import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writesOf } from '../sync/support.ts';
import { people, startBackfillWorld, type BackfillWorld } from './support.ts';

const emailsOf = (records: Record<string, unknown>[]) =>
  records.map((r) => String(r['Email'] ?? '').toLowerCase()).filter((e) => e !== '');

const duplicates = (values: readonly string[]) =>
  values.filter((value, i) => values.indexOf(value) !== i);

for (const mode of ['collections', 'bulk'] as const) {
  const bulkThreshold = mode === 'bulk' ? 1 : 1_000_000;

  describe(`backfill through ${mode === 'bulk' ? 'Bulk API 2.0' : 'sObject Collections'}`, () => {
    let w: BackfillWorld;
    before(async () => {
      w = await startBackfillWorld();
    });
    after(() => w.close());

    it('links the people both systems share, creates Leads for the rest and syncs mapped fields both ways', async () => {
      const { backfill, summary, errors } = await w.backfill({ bulkThreshold });
      assert.deepEqual(errors, []);
      assert.equal(backfill.status, 'completed');
      assert.ok(summary);
      assert.equal(summary.counts.leadsCreated, people.intercomOnly);
      assert.equal(summary.counts.matched, people.both);
      assert.equal(summary.skipped['no_counterpart'], people.salesforceOnly);
      assert.equal(backfill.done, backfill.total);

      const leads = await w.records('Lead');
      assert.deepEqual(duplicates(emailsOf(leads)), []);
      assert.equal(leads.length, people.intercomOnly + people.salesforceOnly);
      const plan = new Map(leads.map((l) => [String(l['Email']), l['Plan__c']]));
      assert.equal(plan.get('person0003@drift.test'), 'p3');

      const links = await w.store.links.list({ limit: 1000 });
      assert.equal(links.length, people.intercomOnly + people.both);
      // A Contact's Plan__c reached the matched Intercom contact's region.
      const shared = links.find((l) => l.salesforceType === 'Contact')!;
      const contact = await w.intercom.findContact(shared.intercomId);
      assert.ok(contact.ok);
      assert.match(String(contact.value.custom_attributes?.['region']), /^r\d$/);

      const completed = await w.events('backfill.completed');
      assert.equal(completed.length, 1);
      assert.equal(w.store.dialect, 'sqlite');
      assert.equal(await w.store.backfills.countStaged(backfill.id, 'intercom'), 0);
    });

    it('run again, finds everyone linked and in step and writes nothing', async () => {
      const before = writesOf(await w.salesforceCalls()) + writesOf(await w.intercomCalls());
      const { summary } = await w.backfill({ bulkThreshold });
      const after = writesOf(await w.salesforceCalls()) + writesOf(await w.intercomCalls());
      assert.ok(summary);
      assert.equal(summary.counts.alreadyLinked, people.intercomOnly + people.both);
      assert.equal(summary.counts.leadsCreated, 0);
      // Neither a record write nor a Bulk API ingest job (also a POST).
      assert.equal(after - before, 0);
    });
  });

  describe(`a backfill that dies between its ${mode} writes and storing them`, () => {
    let w: BackfillWorld;
    before(async () => {
      w = await startBackfillWorld();
    });
    after(() => w.close());

    it('resumes at the chunk it was writing and creates no Lead twice', async () => {
      // The second chunk's results never reach the store: as if the process died right after
      // Salesforce answered.
      const transaction = w.store.transaction.bind(w.store);
      let commits = 0;
      Object.assign(w.store, {
        transaction: (work: Parameters<typeof transaction>[0]) => {
          commits += 1;
          if (commits === 2) throw new Error('killed before the chunk was stored');
          return transaction(work);
        },
      });
      const first = await w.backfill({ bulkThreshold, chunkSize: 25 });
      assert.equal(first.errors.length, 1);
      assert.equal(first.backfill.status, 'running');
      const leadsAfterCrash = await w.records('Lead');
      assert.ok(leadsAfterCrash.length > 25 + people.salesforceOnly, 'the dying chunk wrote Leads');

      const resumed = await w.resume(first.backfill.id, { bulkThreshold, chunkSize: 25 });
      assert.equal(resumed.status, 'completed');
      const leads = await w.records('Lead');
      assert.deepEqual(duplicates(emailsOf(leads)), []);
      assert.equal(leads.length, people.intercomOnly + people.salesforceOnly);
      const links = await w.store.links.list({ limit: 1000 });
      assert.equal(links.length, people.intercomOnly + people.both);
      assert.equal(resumed.done, resumed.total);
    });
  });
}

describe('a backfill under the API budget', () => {
  let w: BackfillWorld;
  before(async () => {
    w = await startBackfillWorld();
  });
  after(() => w.close());

  it('asks for the bulk lane before reading Salesforce and before every chunk, and writes nothing while it is refused', async () => {
    let asked = 0;
    const paused = await w.backfill({
      admitBulk: () => {
        asked += 1;
        return Promise.reject(new Error('bulk work is paused'));
      },
    });
    assert.equal(asked, 1);
    assert.equal(paused.backfill.status, 'running');
    assert.equal((await w.records('Lead')).length, people.salesforceOnly);

    asked = 0;
    const resumed = await w.resume(paused.backfill.id, {
      chunkSize: 25,
      admitBulk: () => {
        asked += 1;
        return Promise.resolve();
      },
    });
    assert.equal(resumed.status, 'completed');
    const chunks =
      Math.ceil((people.intercomOnly + people.both) / 25) +
      Math.ceil((people.both + people.salesforceOnly) / 25);
    assert.equal(asked, 1 + chunks);
  });
});

describe('a backfill while live sync carries an edit', () => {
  let w: BackfillWorld;
  before(async () => {
    w = await startBackfillWorld();
  });
  after(() => w.close());

  it('hands a pair live sync changed after staging began to live sync, and writes none of its staged values', async () => {
    await w.backfill();
    await w.setSettings({
      matching: { mode: 'email' },
      mappings: {
        Contact: [
          { intercom: 'custom_attributes.region', salesforce: 'Plan__c', direction: 'to_intercom' },
          { intercom: 'name', salesforce: 'Title', direction: 'to_salesforce' },
        ],
      },
    });
    const link = (await w.store.links.list({ limit: 1000 })).find(
      (l) => l.salesforceType === 'Contact',
    )!;
    const region = async () => {
      const contact = await w.intercom.findContact(link.intercomId);
      assert.ok(contact.ok);
      return contact.value.custom_attributes?.['region'];
    };
    const staleRegion = await region();

    // Salesforce is staged first. Before Intercom is, a Salesforce user edits the Contact, live
    // sync carries the edit to Intercom, then someone renames the contact in Intercom.
    const { intercom } = w;
    w.connections = {
      ok: true,
      salesforce: w.salesforce,
      intercom: {
        ...intercom,
        listContacts: async function* (options) {
          const edited = await w.salesforceUser.update('Contact', [
            { Id: link.salesforceId, Plan__c: 'moved' },
          ]);
          assert.ok(edited[0]?.ok);
          await w.runSalesforce('Contact', link.salesforceId);
          assert.equal(await region(), 'moved', 'live sync carried the edit');
          assert.ok((await intercom.updateContact(link.intercomId, { name: 'Renamed' })).ok);
          yield* intercom.listContacts(options);
        },
      },
    };
    const queuedBefore = w.queued.length;
    let handedOver: number | undefined;
    try {
      const { summary, errors } = await w.backfill();
      assert.deepEqual(errors, []);
      handedOver = summary?.counts.handedToLiveSync;
    } finally {
      w.connections = { ok: true, salesforce: w.salesforce, intercom };
    }
    assert.notEqual(staleRegion, 'moved');
    assert.equal(await region(), 'moved', 'the staged Salesforce value was not written back');
    assert.equal(handedOver, 1);
    // The other Contacts got their new Title: each pair's state is the one after the write.
    const states = (await w.store.links.list({ limit: 1000 }))
      .filter((l) => l.salesforceType === 'Contact' && l.id !== link.id)
      .map((l) => l.state);
    assert.equal(states.length, people.both - 1);
    for (const state of states) {
      assert.ok(state && !('pending' in state), 'no noted writes left behind');
      assert.match(String(state.baseline['Title']), /^Person \d+$/);
    }
    assert.deepEqual(
      w.queued.slice(queuedBefore).filter((q) => q.task.startsWith('sync.')),
      [
        {
          task: 'sync.intercom.contact',
          payload: { recordKey: `intercom:contact:${link.intercomId}` },
        },
      ],
    );
  });
});
