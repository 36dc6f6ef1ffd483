import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toIntercomContact, toIntercomDataAttribute, toSalesforceField } from './mappers.ts';
import { diffSettings } from './settings-service.ts';

describe('diffSettings', () => {
  it('names each changed leaf by its path, old → new', () => {
    assert.deepEqual(
      diffSettings(
        { matching: { mode: 'email', emailFallback: true }, deleteOtherSide: 'never' },
        { matching: { mode: 'identifier', emailFallback: true }, deleteOtherSide: 'never' },
      ),
      [{ path: 'matching.mode', before: 'email', after: 'identifier' }],
    );
  });

  it('shows an added or removed array entry as one change holding the whole entry', () => {
    const email = { intercom: 'email', salesforce: 'Email' };
    const title = { intercom: 'job', salesforce: 'Title' };
    assert.deepEqual(diffSettings({ Lead: [email] }, { Lead: [email, title] }), [
      { path: 'Lead[1]', after: title },
    ]);
    assert.deepEqual(diffSettings({ Lead: [email, title] }, { Lead: [email] }), [
      { path: 'Lead[1]', before: title },
    ]);
  });

  it('finds nothing between equal settings', () => {
    const settings = { a: [1, { b: null }], c: 'x' };
    assert.deepEqual(diffSettings(settings, structuredClone(settings)), []);
  });
});

describe('mappers', () => {
  it('reads a describe field, defaulting what describe leaves out', () => {
    const field = toSalesforceField({
      name: 'Tier__c',
      type: 'picklist',
      createable: true,
      updateable: true,
      picklistValues: [{ value: 'Gold', label: null, active: true }],
      referenceTo: [],
      restrictedPicklist: true,
    });
    assert.equal(field.label, 'Tier__c');
    assert.equal(field.nillable, true);
    assert.equal(field.calculated, false);
    assert.deepEqual(field.picklistValues, [{ value: 'Gold', label: 'Gold', active: true }]);
    assert.equal(field.compoundFieldName, null);
  });

  it('reads Intercom datetime attributes as dates and list attributes as text with options', () => {
    const base = {
      type: 'data_attribute' as const,
      model: 'contact' as const,
      label: 'Renewal',
      api_writable: true,
      custom: true,
    };
    const renewal = toIntercomDataAttribute({
      ...base,
      name: 'renewal',
      full_name: 'custom_attributes.renewal',
      data_type: 'datetime',
    });
    assert.equal(renewal.dataType, 'date');
    assert.equal(renewal.fullName, 'custom_attributes.renewal');
    const tier = toIntercomDataAttribute({
      ...base,
      name: 'tier',
      full_name: 'custom_attributes.tier',
      data_type: 'options',
      options: ['Gold', 'Silver'],
    });
    assert.equal(tier.dataType, 'string');
    assert.deepEqual(tier.options, ['Gold', 'Silver']);
    assert.equal(tier.archived, false);
  });

  it('reads a contact, keeping other standard attributes by name and company ids without names', () => {
    const contact = toIntercomContact({
      type: 'contact',
      id: 'c1',
      workspace_id: 'w',
      external_id: null,
      role: 'lead',
      email: 'pat@example.com',
      phone: null,
      name: null,
      owner_id: 42,
      unsubscribed_from_emails: false,
      created_at: 1,
      updated_at: 2,
      signed_up_at: null,
      last_seen_at: 3,
      custom_attributes: { tier: 'Gold' },
      utm_source: 'ads',
      companies: { data: [{ type: 'company', id: 'co1' }] },
    });
    assert.equal(contact.ownerId, '42');
    assert.equal(contact.attributes['utm_source'], 'ads');
    assert.equal(contact.attributes['last_seen_at'], 3);
    assert.deepEqual(contact.companies, [{ id: 'co1', name: null }]);
    assert.deepEqual(contact.customAttributes, { tier: 'Gold' });
  });
});
