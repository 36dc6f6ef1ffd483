import assert from 'node:assert/strict';
import { describe as suite, it } from 'node:test';
import type { Direction } from './compatibility.ts';
import type { SalesforceDescribe } from './salesforce.ts';
import type { SettingsInput } from './settings.ts';
import { attributes, contact, describe, field, settings, withLeadFields } from './test-fixtures.ts';
import { validateMappings, type MappingProblem, type ProblemCode } from './validation.ts';

const validate = (
  input: SettingsInput,
  options: { describe?: SalesforceDescribe; samples?: Parameters<typeof contact>[0][] } = {},
): MappingProblem[] =>
  validateMappings(settings(input), options.describe ?? describe, attributes, {
    sampleContacts: (options.samples ?? []).map(contact),
  });

const leadMapping = (
  intercom: string,
  salesforce: string,
  direction: Direction = 'to_salesforce',
) => ({
  mappings: { Lead: [{ intercom, salesforce, direction }] },
});
const contactMapping = (
  intercom: string,
  salesforce: string,
  direction: Direction = 'to_salesforce',
) => ({
  mappings: { Contact: [{ intercom, salesforce, direction }] },
});

interface Row {
  rule: string;
  input: SettingsInput;
  code: ProblemCode;
  severity: 'error' | 'warning';
  path?: string;
  describe?: SalesforceDescribe;
  samples?: Parameters<typeof contact>[0][];
}

const rows: Row[] = [
  {
    rule: 'refuses a Salesforce formula field as a destination (read-only)',
    input: leadMapping('custom_attributes.score', 'Score_Formula__c'),
    code: 'salesforce_read_only',
    severity: 'error',
  },
  {
    rule: 'refuses a Salesforce field that is neither createable nor updateable as a destination',
    input: leadMapping('custom_attributes.title', 'Name'),
    code: 'salesforce_read_only',
    severity: 'error',
  },
  {
    rule: 'warns that a createable but not updateable field is written only when the record is created',
    input: leadMapping('custom_attributes.title', 'Lock_On_Create__c'),
    code: 'salesforce_create_only',
    severity: 'warning',
  },
  {
    rule: 'refuses a read-only Intercom attribute as a destination',
    input: leadMapping('role', 'Title', 'to_intercom'),
    code: 'intercom_read_only',
    severity: 'error',
  },
  {
    rule: 'refuses a read-only Intercom attribute in a both-ways mapping',
    input: leadMapping('utm_source', 'utm_source__c', 'both'),
    code: 'intercom_read_only',
    severity: 'error',
  },
  {
    rule: 'refuses a Salesforce field already used by another mapping',
    input: {
      mappings: {
        Contact: [
          { intercom: 'custom_attributes.title', salesforce: 'Title', direction: 'to_salesforce' },
          { intercom: 'custom_attributes.notes', salesforce: 'Title', direction: 'to_salesforce' },
        ],
      },
    },
    code: 'salesforce_field_used_twice',
    severity: 'error',
    path: 'mappings.Contact[1]',
  },
  {
    rule: 'refuses a Salesforce field used by the identifier mapping',
    input: {
      matching: { mode: 'identifier', identifierField: 'Customer_Number__c' },
      ...contactMapping('custom_attributes.title', 'Customer_Number__c'),
    },
    code: 'field_used_by_identifier',
    severity: 'error',
  },
  {
    rule: 'refuses mapping the external-ID field, which holds the Intercom id',
    input: {
      externalIdField: 'Intercom_Id__c',
      ...contactMapping('custom_attributes.title', 'Intercom_Id__c'),
    },
    code: 'field_used_by_external_id',
    severity: 'error',
  },
  {
    rule: 'refuses writing Intercom external_id when it is the matching identifier',
    input: {
      matching: { mode: 'identifier', identifierField: 'Customer_Number__c' },
      ...contactMapping('external_id', 'Title', 'to_intercom'),
    },
    code: 'attribute_used_by_identifier',
    severity: 'error',
  },
  {
    rule: 'refuses two mappings writing the same Intercom attribute',
    input: {
      mappings: {
        Contact: [
          { intercom: 'custom_attributes.title', salesforce: 'Title', direction: 'to_intercom' },
          {
            intercom: 'custom_attributes.title',
            salesforce: 'Description',
            direction: 'to_intercom',
          },
        ],
      },
    },
    code: 'intercom_attribute_written_twice',
    severity: 'error',
  },
  {
    rule: 'refuses the compound Name field',
    input: contactMapping('name', 'Name', 'to_intercom'),
    code: 'compound_field',
    severity: 'error',
  },
  {
    rule: 'refuses a compound address field',
    input: contactMapping('custom_attributes.notes', 'Address', 'to_intercom'),
    code: 'compound_field',
    severity: 'error',
  },
  {
    rule: 'refuses a compound geolocation field',
    input: contactMapping('custom_attributes.notes', 'Location__c', 'to_intercom'),
    code: 'compound_field',
    severity: 'error',
  },
  {
    rule: 'refuses the high-frequency attribute last_seen_at',
    input: contactMapping('last_seen_at', 'Signed_Up__c'),
    code: 'high_frequency_attribute',
    severity: 'error',
  },
  {
    rule: 'refuses the high-frequency attribute last_contacted_at',
    input: contactMapping('last_contacted_at', 'Signed_Up__c'),
    code: 'high_frequency_attribute',
    severity: 'error',
  },
  {
    rule: 'refuses a UTM attribute sent to Salesforce Contacts',
    input: contactMapping('utm_source', 'utm_source__c'),
    code: 'utm_only_to_leads',
    severity: 'error',
  },
  {
    rule: 'warns that a Reference field syncs its record ID, not the name it refers to',
    input: contactMapping('custom_attributes.sf_owner', 'OwnerId', 'to_intercom'),
    code: 'reference_syncs_id',
    severity: 'warning',
  },
  {
    rule: 'warns about attribute options a restricted picklist would reject',
    input: leadMapping('custom_attributes.plan', 'Rating'),
    code: 'picklist_values_rejected',
    severity: 'warning',
  },
  {
    rule: 'warns about values in the data a restricted multi-select picklist would reject',
    input: leadMapping('custom_attributes.interests', 'Interests__c'),
    samples: [{ customAttributes: { interests: 'Billing;Partnerships' } }],
    code: 'picklist_values_rejected',
    severity: 'warning',
  },
  {
    rule: 'refuses types the Intercom ➡️ Salesforce table does not list',
    input: leadMapping('custom_attributes.newsletter', 'NumberOfEmployees'),
    code: 'incompatible_types',
    severity: 'error',
  },
  {
    rule: 'refuses types the Salesforce ➡️ Intercom table does not list',
    input: leadMapping('custom_attributes.trial_start', 'Call_Time__c', 'to_intercom'),
    code: 'incompatible_types',
    severity: 'error',
  },
  {
    rule: 'refuses a custom required Lead field that no mapping fills',
    input: {},
    describe: withLeadFields(field('Region__c', 'string', { nillable: false })),
    code: 'required_lead_field_unmapped',
    severity: 'error',
  },
  {
    rule: 'refuses a required Lead field synced only from Salesforce to Intercom',
    input: {
      mappings: { Lead: [{ intercom: 'name', salesforce: 'LastName', direction: 'to_intercom' }] },
    },
    code: 'required_lead_field_not_sent',
    severity: 'error',
    path: 'mappings.Lead[1]',
  },
  {
    rule: 'refuses an identifier field that is neither text nor email',
    input: { matching: { mode: 'identifier', identifierField: 'Account_Number__c' } },
    code: 'identifier_field_type',
    severity: 'error',
  },
  {
    rule: 'refuses an identifier field missing on Lead or Contact',
    input: { matching: { mode: 'identifier', identifierField: 'Nope__c' } },
    code: 'unknown_identifier_field',
    severity: 'error',
  },
  {
    rule: 'refuses an external-ID field Salesforce does not mark External ID',
    input: { externalIdField: 'Title' },
    code: 'external_id_field_not_external',
    severity: 'error',
  },
  {
    rule: 'warns that Lead creation needs the email fallback',
    input: {
      matching: { mode: 'identifier', identifierField: 'Customer_Number__c', emailFallback: false },
    },
    code: 'lead_creation_needs_email_fallback',
    severity: 'warning',
  },
  {
    rule: 'refuses an Intercom attribute that does not exist',
    input: contactMapping('custom_attributes.missing', 'Title'),
    code: 'unknown_intercom_attribute',
    severity: 'error',
  },
  {
    rule: 'warns instead when missing Intercom attributes may be created',
    input: {
      createMissingIntercomAttributes: true,
      ...contactMapping('custom_attributes.missing', 'Title', 'to_intercom'),
    },
    code: 'intercom_attribute_will_be_created',
    severity: 'warning',
  },
  {
    rule: 'refuses a Salesforce field that does not exist',
    input: contactMapping('custom_attributes.title', 'Nope__c'),
    code: 'unknown_salesforce_field',
    severity: 'error',
  },
  {
    rule: 'refuses a company attribute on a contact mapping',
    input: contactMapping('custom_attributes.industry', 'Title'),
    code: 'intercom_attribute_not_on_contact',
    severity: 'error',
  },
  {
    rule: 'warns about an archived Intercom attribute',
    input: contactMapping('custom_attributes.old', 'Title'),
    code: 'intercom_attribute_archived',
    severity: 'warning',
  },
];

suite('mapping validation: one row per rule', () => {
  for (const row of rows) {
    it(row.rule, () => {
      const problems = validate(row.input, {
        ...(row.describe ? { describe: row.describe } : {}),
        ...(row.samples ? { samples: row.samples } : {}),
      });
      const found = problems.find((problem) => problem.code === row.code);
      assert.ok(found, `expected ${row.code} among ${JSON.stringify(problems.map((p) => p.code))}`);
      assert.equal(found.severity, row.severity);
      if (row.path) assert.equal(found.path, row.path);
    });
  }
});

suite('mapping validation: what passes', () => {
  it('finds nothing wrong with the default settings', () => {
    assert.deepEqual(validate({}), []);
  });

  it('accepts a UTM attribute sent to Salesforce Leads', () => {
    assert.deepEqual(validate(leadMapping('utm_campaign', 'utm_source__c')), []);
  });

  it('accepts the components of a compound field (FirstName, City)', () => {
    const problems = validate(contactMapping('custom_attributes.notes', 'City', 'both'));
    assert.deepEqual(problems, []);
  });

  it('accepts a formula field read into Intercom', () => {
    assert.deepEqual(
      validate(contactMapping('custom_attributes.score', 'Score_Formula__c', 'to_intercom')),
      [],
    );
  });

  it('accepts picklist data the picklist holds', () => {
    const problems = validate(leadMapping('custom_attributes.interests', 'Interests__c'), {
      samples: [{ customAttributes: { interests: 'Billing;Sales' } }],
    });
    assert.deepEqual(problems, []);
  });

  it('accepts a text identifier field present on Lead and Contact', () => {
    assert.deepEqual(
      validate({ matching: { mode: 'identifier', identifierField: 'Customer_Number__c' } }),
      [],
    );
  });

  it('does not require Lead fields when Lead creation is off', () => {
    const problems = validate(
      { leadCreation: { enabled: false } },
      { describe: withLeadFields(field('Region__c', 'string', { nillable: false })) },
    );
    assert.deepEqual(problems, []);
  });
});

suite('mapping validation: reporting', () => {
  it('lists every problem at once, each with the mapping it concerns', () => {
    const problems = validate({
      mappings: {
        Contact: [
          { intercom: 'last_seen_at', salesforce: 'Signed_Up__c', direction: 'to_salesforce' },
          { intercom: 'utm_source', salesforce: 'utm_source__c', direction: 'to_salesforce' },
          {
            intercom: 'custom_attributes.newsletter',
            salesforce: 'Score_Formula__c',
            direction: 'to_salesforce',
          },
        ],
      },
    });
    const byPath = problems.map((p) => `${p.path}:${p.code}`).sort();
    assert.deepEqual(byPath, [
      'mappings.Contact[0]:high_frequency_attribute',
      'mappings.Contact[1]:utm_only_to_leads',
      'mappings.Contact[2]:incompatible_types',
      'mappings.Contact[2]:salesforce_read_only',
    ]);
    assert.equal(problems[0]?.mapping?.intercom, 'last_seen_at');
    assert.equal(problems[0]?.object, 'Contact');
  });

  it('names both types and the table in an incompatible-types message', () => {
    const [problem] = validate(
      contactMapping('custom_attributes.newsletter', 'NumberOfEmployees', 'to_salesforce'),
    );
    assert.match(
      problem?.message ?? '',
      /custom_attributes\.newsletter \(True or false\).*NumberOfEmployees \(int\).*Intercom ➡️ Salesforce/,
    );
  });

  it('reports one incompatible-types problem per refused direction of a both-ways mapping', () => {
    const problems = validate(contactMapping('custom_attributes.seats', 'Call_Time__c', 'both'));
    assert.equal(problems.filter((p) => p.code === 'incompatible_types').length, 2);
  });
});
