import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unwrap } from '../../src/connectors/index.ts';
import { startSyncWorld, writesOf, type SyncWorld } from './support.ts';

describe('people sync: both ways', () => {
  let w: SyncWorld;
  let intercomId = '';
  let contactId = '';
  const contactRecord = async () =>
    (await w.records('Contact')).find((c) => c['Id'] === contactId) ?? {};
  const intercomContact = async () => unwrap(await w.intercom.findContact(intercomId));

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
            conflictPolicy: 'salesforce_wins',
          },
          { intercom: 'phone', salesforce: 'Phone', direction: 'to_intercom' },
          {
            intercom: 'custom_attributes.region',
            salesforce: 'Department',
            direction: 'to_salesforce',
            skipIfSourceEmpty: true,
          },
          {
            intercom: 'name',
            salesforce: 'Title',
            direction: 'to_salesforce',
            skipIfDestinationHasValue: true,
          },
        ],
      },
    });
    const [saved] = await w.salesforceUser.create('Contact', [
      {
        LastName: 'Pair',
        Email: 'pat@pair.test',
        Department: 'Ops',
        Title: 'CTO',
        Phone: '+1 555 0100',
      },
    ]);
    contactId = unwrap(saved!).id;
    intercomId = unwrap(
      await w.intercom.createContact({
        role: 'user',
        email: 'pat@pair.test',
        name: 'Pat Pair',
        custom_attributes: { plan: 'pro' },
      }),
    ).id;
  });
  after(() => w.close());

  it('links by email and flows each field per its direction and skip options', async () => {
    await w.runIntercom(intercomId);

    const link = await w.store.links.findByIntercomId(intercomId);
    assert.equal(link?.salesforceId, contactId);
    const record = await contactRecord();
    assert.equal(record['Plan__c'], 'pro', 'both: the only value so far goes to Salesforce');
    assert.equal(record['Department'], 'Ops', 'skip if the source is empty');
    assert.equal(record['Title'], 'CTO', 'skip if the destination has a value');
    assert.equal((await intercomContact()).phone, '+1 555 0100', 'to_intercom');
    const reasons = (await w.events('sync.skipped')).map((e) => e.data['reason']);
    assert.ok(reasons.includes('source_empty'));
    assert.ok(reasons.includes('destination_has_value'));
    const [updated] = (await w.events('record.updated')).filter(
      (e) => e.data['system'] === 'salesforce',
    );
    assert.deepEqual(updated?.data['fields'], [{ field: 'Plan__c', before: null, after: 'pro' }]);
  });

  it('carries a Salesforce edit to Intercom, and an Intercom edit to Salesforce', async () => {
    unwrap(
      (await w.salesforceUser.update('Contact', [{ Id: contactId, Phone: '+1 555 0199' }]))[0]!,
    );
    await w.runSalesforce('Contact', contactId);
    assert.equal((await intercomContact()).phone, '+1 555 0199');

    unwrap(await w.intercom.updateContact(intercomId, { custom_attributes: { plan: 'team' } }));
    await w.runIntercom(intercomId);
    assert.equal((await contactRecord())['Plan__c'], 'team');
  });

  it('writes a field edited once exactly once on the other side, and never back', async () => {
    unwrap(await w.intercom.updateContact(intercomId, { custom_attributes: { plan: 'scale' } }));
    const sfBefore = writesOf(await w.salesforceCalls());
    const icBefore = writesOf(await w.intercomCalls());

    await w.runIntercom(intercomId);
    assert.equal(writesOf(await w.salesforceCalls()) - sfBefore, 1);
    assert.equal((await contactRecord())['Plan__c'], 'scale');

    // The change event of Tandem's own write, then the webhook of the Intercom edit again.
    await w.runSalesforce('Contact', contactId);
    await w.runIntercom(intercomId);
    await w.runSalesforce('Contact', contactId);
    assert.equal(writesOf(await w.salesforceCalls()) - sfBefore, 1, 'no second Salesforce write');
    assert.equal(writesOf(await w.intercomCalls()) - icBefore, 0, 'nothing written back');
    const reasons = (await w.events('sync.skipped')).map((e) => e.data['reason']);
    assert.ok(reasons.includes('echo'));
  });

  it('writes a Salesforce edit exactly once to Intercom, and never back', async () => {
    unwrap(
      (await w.salesforceUser.update('Contact', [{ Id: contactId, Phone: '+1 555 0142' }]))[0]!,
    );
    const sfBefore = writesOf(await w.salesforceCalls());
    const icBefore = writesOf(await w.intercomCalls());

    await w.runSalesforce('Contact', contactId);
    assert.equal(writesOf(await w.intercomCalls()) - icBefore, 1);
    assert.equal((await intercomContact()).phone, '+1 555 0142');

    // The webhook of Tandem's own Intercom write, then the change event again.
    await w.runIntercom(intercomId);
    await w.runSalesforce('Contact', contactId);
    assert.equal(writesOf(await w.intercomCalls()) - icBefore, 1, 'no second Intercom write');
    assert.equal(writesOf(await w.salesforceCalls()) - sfBefore, 0, 'nothing written back');
  });

  it('resolves a both field edited on both sides by its policy and logs the conflict', async () => {
    unwrap(await w.intercom.updateContact(intercomId, { custom_attributes: { plan: 'ic-side' } }));
    unwrap((await w.salesforceUser.update('Contact', [{ Id: contactId, Plan__c: 'sf-side' }]))[0]!);
    await w.runIntercom(intercomId);

    assert.equal((await intercomContact()).custom_attributes['plan'], 'sf-side');
    assert.equal((await contactRecord())['Plan__c'], 'sf-side');
    const conflict = (await w.events('sync.conflict')).at(-1);
    assert.equal(conflict?.data['intercomValue'], 'ic-side');
    assert.equal(conflict?.data['salesforceValue'], 'sf-side');
    assert.equal(conflict?.data['winner'], 'salesforce');
    assert.equal(conflict?.data['rule'], 'salesforce_wins');
  });

  it('moves the link of a converted Lead to its Contact', async () => {
    const lead = unwrap(
      await w.intercom.createContact({ role: 'lead', email: 'convert.me@example.test' }),
    );
    await w.runIntercom(lead.id);
    const before = await w.store.links.findByIntercomId(lead.id);
    assert.equal(before?.salesforceType, 'Lead');
    const converted = await w.sf.control(`leads/${before!.salesforceId}/convert`, {});
    assert.equal(converted.status, 200);
    await w.runSalesforce('Lead', before!.salesforceId);

    const after = await w.store.links.findByIntercomId(lead.id);
    assert.equal(after?.salesforceType, 'Contact');
    const contact = (await w.records('Contact')).find((c) => c['Id'] === after?.salesforceId);
    assert.equal(contact?.['Email'], 'convert.me@example.test');
    const moved = (await w.events('link.moved')).at(-1);
    assert.equal(moved?.data['reason'], 'lead_converted');
  });

  it('drops the link when the Salesforce record is deleted, and deletes nothing in Intercom', async () => {
    unwrap((await w.salesforceUser.destroy('Contact', [contactId]))[0]!);
    await w.runSalesforce('Contact', contactId);

    assert.equal(await w.store.links.findByIntercomId(intercomId), undefined);
    assert.equal((await intercomContact()).id, intercomId);
    const dropped = (await w.events('link.dropped')).at(-1);
    assert.equal(dropped?.data['reason'], 'salesforce_deleted');
  });
});
