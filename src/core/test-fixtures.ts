/** Builders for core tests: realistic describe fields, data attributes and people. */
import type { IntercomContact, IntercomDataAttribute, IntercomDataType } from './intercom.ts';
import type {
  PersonObject,
  SalesforceDescribe,
  SalesforceField,
  SalesforcePerson,
} from './salesforce.ts';
import { parseSettings, type SettingsInput, type SyncSettings } from './settings.ts';

export function field(
  name: string,
  type: string,
  overrides: Partial<SalesforceField> = {},
): SalesforceField {
  return {
    name,
    label: name,
    type,
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
    ...overrides,
  };
}

const picklist = (...values: string[]) =>
  values.map((value) => ({ value, label: value, active: true }));

/** Lead and Contact fields as the v59 fixtures describe them, plus a few custom fields. */
function personFields(object: PersonObject): SalesforceField[] {
  return [
    field('Id', 'id', {
      createable: false,
      updateable: false,
      nillable: false,
      defaultedOnCreate: true,
    }),
    field('Name', 'string', { createable: false, updateable: false }),
    field('FirstName', 'string', { compoundFieldName: 'Name' }),
    field('LastName', 'string', { compoundFieldName: 'Name', nillable: false }),
    ...(object === 'Lead' ? [field('Company', 'string', { nillable: false })] : []),
    field('Email', 'email'),
    field('Phone', 'phone'),
    field('Title', 'string'),
    field('Description', 'textarea'),
    field('Website', 'url'),
    field('LeadSource', 'picklist', { picklistValues: picklist('Web', 'Phone Inquiry', 'Other') }),
    field('Rating', 'picklist', {
      picklistValues: picklist('Hot', 'Warm', 'Cold'),
      restrictedPicklist: true,
    }),
    field('Interests__c', 'multipicklist', {
      picklistValues: picklist('Billing', 'Support', 'Sales'),
      restrictedPicklist: true,
    }),
    field('NumberOfEmployees', 'int'),
    field('AnnualRevenue', 'currency'),
    field('Score__c', 'double'),
    field('Discount__c', 'percent'),
    field('Newsletter__c', 'boolean', { nillable: false, defaultedOnCreate: true }),
    field('Trial_Start__c', 'date'),
    field('Signed_Up__c', 'datetime'),
    field('Call_Time__c', 'time'),
    field('Secret__c', 'encryptedstring'),
    field('OwnerId', 'reference', {
      referenceTo: ['Group', 'User'],
      defaultedOnCreate: true,
      nillable: false,
    }),
    field('Address', 'address', { createable: false, updateable: false }),
    field('City', 'string', { compoundFieldName: 'Address' }),
    field('Location__c', 'location', { createable: false, updateable: false }),
    field('Customer_Number__c', 'string', { externalId: true }),
    field('Intercom_Id__c', 'string', {
      externalId: true,
      unique: true,
    } as Partial<SalesforceField>),
    field('Account_Number__c', 'int'),
    field('Score_Formula__c', 'double', { calculated: true, createable: false, updateable: false }),
    field('LastModifiedDate', 'datetime', { createable: false, updateable: false }),
    field('Lock_On_Create__c', 'string', { updateable: false }),
    field('Base64__c', 'base64'),
    field('utm_source__c', 'string'),
    ...(object === 'Lead'
      ? [
          field('Status', 'picklist', {
            nillable: false,
            defaultedOnCreate: true,
            picklistValues: picklist('Open - Not Contacted', 'Working - Contacted'),
          }),
          field('IsConverted', 'boolean', {
            updateable: false,
            nillable: false,
            defaultedOnCreate: true,
          }),
          field('ConvertedContactId', 'reference', {
            createable: false,
            updateable: false,
            referenceTo: ['Contact'],
          }),
        ]
      : [field('AccountId', 'reference', { referenceTo: ['Account'] })]),
  ];
}

export const describe: SalesforceDescribe = {
  Lead: { name: 'Lead', fields: personFields('Lead') },
  Contact: { name: 'Contact', fields: personFields('Contact') },
};

export function withLeadFields(...extra: SalesforceField[]): SalesforceDescribe {
  return { ...describe, Lead: { name: 'Lead', fields: [...describe.Lead.fields, ...extra] } };
}

export function attribute(
  fullName: string,
  dataType: IntercomDataType,
  overrides: Partial<IntercomDataAttribute> = {},
): IntercomDataAttribute {
  const custom = fullName.startsWith('custom_attributes.');
  return {
    name: custom ? fullName.slice('custom_attributes.'.length) : fullName,
    fullName,
    label: fullName,
    dataType,
    apiWritable: true,
    custom,
    model: 'contact',
    archived: false,
    options: [],
    ...overrides,
  };
}

export const attributes: readonly IntercomDataAttribute[] = [
  attribute('name', 'string'),
  attribute('email', 'string'),
  attribute('phone', 'string'),
  attribute('external_id', 'string'),
  attribute('role', 'string', { apiWritable: false }),
  attribute('owner_id', 'integer'),
  attribute('last_seen_at', 'date', { apiWritable: false }),
  attribute('last_contacted_at', 'date', { apiWritable: false }),
  attribute('signed_up_at', 'date'),
  attribute('utm_source', 'string', { apiWritable: false }),
  attribute('utm_campaign', 'string', { apiWritable: false }),
  attribute('custom_attributes.title', 'string'),
  attribute('custom_attributes.notes', 'string'),
  attribute('custom_attributes.plan', 'string', { options: ['Hot', 'Warm', 'Lukewarm'] }),
  attribute('custom_attributes.seats', 'integer'),
  attribute('custom_attributes.score', 'float'),
  attribute('custom_attributes.newsletter', 'boolean'),
  attribute('custom_attributes.trial_start', 'date'),
  attribute('custom_attributes.sf_owner', 'string'),
  attribute('custom_attributes.interests', 'string'),
  attribute('custom_attributes.old', 'string', { archived: true }),
  attribute('custom_attributes.industry', 'string', { model: 'company' }),
];

export function contact(overrides: Partial<IntercomContact> = {}): IntercomContact {
  return {
    id: 'ic-1',
    role: 'user',
    externalId: null,
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    phone: null,
    ownerId: null,
    updatedAt: 1_767_225_600, // 2026-01-01T00:00:00Z
    customAttributes: {},
    attributes: {},
    tags: [],
    companies: [],
    ...overrides,
  };
}

export function person(overrides: Partial<SalesforcePerson> = {}): SalesforcePerson {
  return {
    id: '00Q000000000001AAA',
    type: 'Lead',
    email: 'ada@example.com',
    lastModifiedDate: '2026-01-01T00:00:00.000+0000',
    fields: {},
    isConverted: false,
    convertedContactId: null,
    masterRecordId: null,
    ...overrides,
  };
}

/** Settings through the real parser, so tests see the same defaults users get. */
export function settings(input: SettingsInput = {}): SyncSettings {
  const result = parseSettings(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.settings;
}
