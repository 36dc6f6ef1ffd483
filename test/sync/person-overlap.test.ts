// Two runs of one linked pair at the same time: a webhook's run reading the Intercom contact
// while a change event's run carries a Salesforce edit across. Whatever the interleaving, no run
// may write back a value older than the one it read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unwrap, type IntercomConnector } from '../../src/connectors/index.ts';
import { startSyncWorld, type SyncWorld } from './support.ts';

describe('people sync: two runs of one pair overlapping', () => {
  let w: SyncWorld;
  let intercomId = '';
  let contactId = '';
  const salesforcePlan = async () =>
    (await w.records('Contact')).find((c) => c['Id'] === contactId)?.['Plan__c'];
  const intercomPlan = async () =>
    unwrap(await w.intercom.findContact(intercomId)).custom_attributes['plan'];

  /** Runs the Intercom contact's sync again while the engine would retry it. */
  async function runIntercomUntilDone(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await w.runIntercom(intercomId, attempt);
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
  }

  before(async () => {
    w = await startSyncWorld();
    await w.setSettings({
      matching: { mode: 'email' },
      mappings: {
        Contact: [
          {
            intercom: 'custom_attributes.plan',
            salesforce: 'Plan__c',
            direction: 'both',
            conflictPolicy: 'latest',
          },
        ],
      },
    });
    const [saved] = await w.salesforceUser.create('Contact', [
      { LastName: 'Overlap', Email: 'olive@overlap.test', Plan__c: 'pro' },
    ]);
    contactId = unwrap(saved!).id;
    intercomId = unwrap(
      await w.intercom.createContact({
        role: 'user',
        email: 'olive@overlap.test',
        custom_attributes: { plan: 'pro' },
      }),
    ).id;
    await w.runIntercom(intercomId);
  });
  after(() => w.close());

  it('does not write an Intercom value read before another run carried a Salesforce edit over it', async () => {
    unwrap((await w.salesforceUser.update('Contact', [{ Id: contactId, Plan__c: 'team' }]))[0]!);
    // The webhook's run reads the contact (still "pro"); before its answer is back, the change
    // event's run carries "team" to Intercom and stores the pair's new state.
    const { intercom } = w;
    let overlap = true;
    const slowReader: IntercomConnector = {
      ...intercom,
      async findContact(id) {
        const read = await intercom.findContact(id);
        if (overlap) {
          overlap = false;
          await w.runSalesforce('Contact', contactId);
        }
        return read;
      },
    };
    w.connections = { ok: true, salesforce: w.salesforce, intercom: slowReader };
    try {
      await runIntercomUntilDone();
    } finally {
      w.connections = { ok: true, salesforce: w.salesforce, intercom };
    }
    assert.equal(overlap, false, 'the runs overlapped');
    assert.equal(await intercomPlan(), 'team', 'the change event carried the edit to Intercom');
    assert.equal(await salesforcePlan(), 'team', 'the stale "pro" was not written back');
    const backwards = (await w.events('record.updated')).filter(
      (e) => e.data['system'] === 'salesforce' && JSON.stringify(e.data).includes('"pro"'),
    );
    assert.deepEqual(backwards, []);
  });

  it('stores nothing for a run that finds the pair in step, so runs of the pair going on meanwhile need not start again', async () => {
    await runIntercomUntilDone();
    const before = await w.store.links.findByIntercomId(intercomId);
    await w.runIntercom(intercomId);
    await w.runSalesforce('Contact', contactId);
    const after = await w.store.links.findByIntercomId(intercomId);
    assert.ok(before && after);
    assert.equal(after.version, before.version);
    assert.deepEqual(after.state, before.state);
  });
});
