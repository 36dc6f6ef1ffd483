import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSettings, type AttributeMapping, type FieldChange } from '../core/index.ts';
import {
  contactIdOfKey,
  personFields,
  toContactInput,
  toSalesforcePerson,
} from './person-records.ts';

const mapping: AttributeMapping = {
  intercom: 'x',
  salesforce: 'X',
  direction: 'to_intercom',
  conflictPolicy: 'latest',
  skipIfSourceEmpty: false,
  skipIfDestinationHasValue: false,
};
const change = (field: string, value: string | number | null): FieldChange => ({
  mapping,
  field,
  old: null,
  new: value,
});

describe('people-sync record shapes', () => {
  it('puts standard attributes at the top of an Intercom update and custom ones under custom_attributes', () => {
    assert.deepEqual(
      toContactInput([
        change('phone', '+1 555'),
        change('custom_attributes.plan', 'pro'),
        change('owner_id', '42'),
        change('seats', 3),
      ]),
      { phone: '+1 555', owner_id: 42, custom_attributes: { plan: 'pro', seats: 3 } },
    );
  });

  it('reads only the fields describe knows, with what matching and link moves need', () => {
    const parsed = parseSettings({
      matching: { mode: 'identifier', identifierField: 'Customer_Number__c' },
      mappings: { Contact: [{ intercom: 'plan', salesforce: 'Plan__c', direction: 'both' }] },
    });
    assert.ok(parsed.ok);
    const field = (name: string) => ({
      name,
      label: name,
      type: 'string',
      createable: true,
      updateable: true,
      calculated: false,
      nillable: true,
      defaultedOnCreate: false,
      compoundFieldName: null,
      referenceTo: [],
      picklistValues: [],
      restrictedPicklist: false,
      externalId: false,
    });
    const describe = {
      Lead: { name: 'Lead' as const, fields: [] },
      Contact: {
        name: 'Contact' as const,
        fields: ['Id', 'Email', 'LastModifiedDate', 'MasterRecordId', 'Plan__c'].map(field),
      },
    };
    assert.deepEqual(personFields('Contact', parsed.settings, describe), [
      'Id',
      'Email',
      'LastModifiedDate',
      'MasterRecordId',
      'Plan__c',
    ]);
  });

  it('maps a REST record to a person and a record key to a contact id', () => {
    const person = toSalesforcePerson('Lead', {
      attributes: { type: 'Lead', url: '/x' },
      Id: '00Q000000000001AAA',
      Email: 'a@b.test',
      IsConverted: true,
      ConvertedContactId: '003000000000001AAA',
      LastModifiedDate: '2026-01-01T00:00:00.000+0000',
    });
    assert.equal(person.isConverted, true);
    assert.equal(person.convertedContactId, '003000000000001AAA');
    assert.equal('attributes' in person.fields, false);
    assert.equal(contactIdOfKey('intercom:contact:abc'), 'abc');
    assert.equal(contactIdOfKey('abc'), 'abc');
  });
});
