import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unwrap } from '../../src/connectors/index.ts';
import { startSyncWorld, type SyncWorld } from './support.ts';

describe('people sync: Intercom to Salesforce', () => {
  let w: SyncWorld;
  before(async () => {
    w = await startSyncWorld();
    await w.setSettings({
      mappings: {
        Lead: [
          { intercom: 'custom_attributes.plan', salesforce: 'Plan__c', direction: 'to_salesforce' },
        ],
      },
    });
  });
  after(() => w.close());

  it('turns a new Intercom lead into a Salesforce Lead with mapped fields and required-field fallbacks', async () => {
    const contact = unwrap(
      await w.intercom.createContact({
        role: 'lead',
        email: 'ada.new@example.test',
        custom_attributes: { plan: 'pro' },
      }),
    );
    await w.runIntercom(contact.id);

    const leads = (await w.records('Lead')).filter((l) => l['Email'] === 'ada.new@example.test');
    assert.equal(leads.length, 1);
    const lead = leads[0]!;
    assert.equal(lead['LastName'], 'ada.new');
    assert.equal(lead['Company'], '[not provided]');
    assert.equal(lead['Plan__c'], 'pro');
    const link = await w.store.links.findByIntercomId(contact.id);
    assert.equal(link?.salesforceId, lead['Id']);
    assert.equal(link?.salesforceType, 'Lead');
    const [created] = await w.events('lead.created');
    assert.deepEqual(
      (created?.data['fallbacks'] as { field: string; source: string }[])
        .map((f) => f.field)
        .sort(),
      ['Company', 'LastName'],
    );
  });
});
