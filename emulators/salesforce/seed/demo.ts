// The demo org: deterministic (faker with a fixed seed, timestamps from a fixed date) and shaped
// like what Tandem meets in the field: people in both Leads and Contacts, Leads sharing an email,
// converted Leads, Contacts whose Customer_Number__c is an Intercom user's external_id in the
// Intercom emulator's demo seed (CN-000001 …), Cases of two record types.
import { Faker, en } from '@faker-js/faker';
import { transact } from '../context.ts';
import type { Org } from '../org.ts';
import type { Row } from '../store/table.ts';
import { formatDate, formatDateTime } from '../store/values.ts';
import type { Writer, WriteOptions } from '../write/writer.ts';
import { adminUserId, seedEpochMs, standardProfileId } from './base.ts';
import { applyCustomisations, type SeedSpec } from './spec.ts';

/** The customisations Tandem's own tests and the demo rely on. */
export const tandemCustomisations: SeedSpec = {
  customFields: [
    {
      object: 'Lead',
      name: 'Intercom_Id__c',
      type: 'string',
      length: 255,
      label: 'Intercom Id',
      externalId: true,
      unique: true,
    },
    {
      object: 'Lead',
      name: 'Customer_Number__c',
      type: 'string',
      length: 40,
      label: 'Customer Number',
      externalId: true,
      unique: true,
    },
    { object: 'Lead', name: 'utm_source__c', type: 'string', length: 255, label: 'UTM Source' },
    { object: 'Lead', name: 'utm_medium__c', type: 'string', length: 255, label: 'UTM Medium' },
    { object: 'Lead', name: 'utm_campaign__c', type: 'string', length: 255, label: 'UTM Campaign' },
    { object: 'Lead', name: 'utm_term__c', type: 'string', length: 255, label: 'UTM Term' },
    { object: 'Lead', name: 'utm_content__c', type: 'string', length: 255, label: 'UTM Content' },
    {
      object: 'Lead',
      name: 'Lifecycle_Stage__c',
      type: 'picklist',
      label: 'Lifecycle Stage',
      values: ['Subscriber', 'Lead', 'MQL', 'SQL', 'Customer'],
      restricted: true,
    },
    {
      object: 'Contact',
      name: 'Intercom_Id__c',
      type: 'string',
      length: 255,
      label: 'Intercom Id',
      externalId: true,
      unique: true,
    },
    {
      object: 'Contact',
      name: 'Customer_Number__c',
      type: 'string',
      length: 40,
      label: 'Customer Number',
      externalId: true,
      unique: true,
    },
    {
      object: 'Contact',
      name: 'Display_Name__c',
      type: 'string',
      length: 1300,
      label: 'Display Name',
      formula: 'FirstName & " " & LastName',
    },
    {
      object: 'Account',
      name: 'Intercom_Company_Id__c',
      type: 'string',
      length: 255,
      label: 'Intercom Company Id',
      externalId: true,
      unique: true,
    },
  ],
  recordTypes: [
    {
      object: 'Case',
      developerName: 'Support',
      name: 'Support',
      default: true,
      picklists: { Type: ['Question', 'Problem', 'Feature Request'] },
      defaults: { Priority: 'Medium' },
    },
    {
      object: 'Case',
      developerName: 'Billing',
      name: 'Billing',
      picklists: { Type: ['Invoice', 'Refund', 'Payment'] },
      defaults: { Priority: 'High' },
    },
  ],
  duplicateRules: [
    {
      object: 'Lead',
      name: 'Standard_Lead_Duplicate_Rule',
      fields: ['Email'],
      action: 'allow',
      active: false,
    },
    {
      object: 'Contact',
      name: 'Standard_Contact_Duplicate_Rule',
      fields: ['Email'],
      action: 'allow',
      active: false,
    },
  ],
};

/** Emails the Intercom demo seed gives its first admins (emulators/intercom/seed.ts). */
const sharedUserEmails = [
  'ada.admin@tandem-demo.example',
  'grace.ops@tandem-demo.example',
  'alan.sales@tandem-demo.example',
  'katherine.support@tandem-demo.example',
];

export interface DemoOptions {
  readonly users?: number;
  readonly accounts?: number;
  readonly contacts?: number;
  readonly leads?: number;
  readonly opportunities?: number;
  readonly cases?: number;
  readonly tasks?: number;
  readonly seed?: number;
}

export const customerNumber = (n: number): string => `CN-${String(n).padStart(6, '0')}`;

const stages = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];
const leadSources = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
const leadStatuses = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Not Converted'];

export function seedDemo(org: Org, writer: Writer, options: DemoOptions = {}): void {
  applyCustomisations(org, writer, tandemCustomisations, adminUserId);
  const faker = new Faker({ locale: [en] });
  faker.seed(options.seed ?? 4410);
  const opts: WriteOptions = { trusted: true, silent: true };
  let clock = seedEpochMs;
  const stamp = (): string => formatDateTime((clock += 37_000));
  const insert = (object: string, body: Row, owner = adminUserId): string => {
    const time = stamp();
    const full: Row = { ...body, CreatedDate: time, LastModifiedDate: time };
    const result = transact(org, (tx) =>
      writer.create(tx, { userId: owner, origin: 'seed' }, object, full, opts),
    );
    if (!result.ok)
      throw new Error(
        `demo seed: ${object}: ${result.errors[0]?.code} ${result.errors[0]?.message}`,
      );
    return result.id;
  };

  const users = [adminUserId];
  const userCount = options.users ?? 10;
  for (let i = 1; i < userCount; i++) {
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    const email =
      sharedUserEmails[i] ??
      `${first}.${last}.${i}@tandem-demo.example`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
    users.push(
      insert('User', {
        Username: `user${i}@tandem.test`,
        FirstName: first,
        LastName: last,
        Email: email,
        Alias: `u${i}`.slice(0, 8),
        CommunityNickname: `user${i}`,
        TimeZoneSidKey: 'GMT',
        LocaleSidKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
        ProfileId: standardProfileId,
        IsActive: i % 9 !== 0,
      }),
    );
  }
  const activeUsers = users.filter((_, i) => i % 9 !== 0 || i === 0);
  const pickOwner = (): string => faker.helpers.arrayElement(activeUsers);

  const accounts: string[] = [];
  for (let i = 0; i < (options.accounts ?? 300); i++) {
    accounts.push(
      insert('Account', {
        Name: faker.company.name(),
        Website: faker.internet.url(),
        Industry: faker.helpers.arrayElement([
          'Technology',
          'Finance',
          'Retail',
          'Healthcare',
          'Education',
        ]),
        NumberOfEmployees: faker.number.int({ min: 1, max: 5000 }),
        BillingCity: faker.location.city(),
        BillingCountry: faker.location.country(),
        OwnerId: pickOwner(),
      }),
    );
  }

  const contacts: { id: string; email: string; accountId: string | null }[] = [];
  const contactCount = options.contacts ?? 1000;
  for (let i = 0; i < contactCount; i++) {
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    const email = `${first}.${last}.${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
    const accountId = accounts.length > 0 ? (accounts[i % accounts.length] as string) : null;
    const body: Row = {
      FirstName: first,
      LastName: last,
      Email: email,
      Title: faker.person.jobTitle(),
      Phone: faker.phone.number({ style: 'international' }),
      LeadSource: faker.helpers.arrayElement(leadSources),
      OwnerId: pickOwner(),
    };
    if (accountId) body['AccountId'] = accountId;
    if (i < Math.floor(contactCount * 0.8)) body['Customer_Number__c'] = customerNumber(i + 1);
    contacts.push({ id: insert('Contact', body), email, accountId });
  }

  const leadCount = options.leads ?? 1000;
  const leads: string[] = [];
  const sharedWithContact = Math.min(100, contacts.length, Math.floor(leadCount / 10));
  // Pools drawn from faker once, combined by index: a million Leads stay cheap and deterministic.
  const pool = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);
  const firstNames = pool(211, () => faker.person.firstName());
  const lastNames = pool(307, () => faker.person.lastName());
  const companies = pool(401, () => faker.company.name());
  const titles = pool(97, () => faker.person.jobTitle());
  const campaigns = pool(9, (): string => `spring-${faker.number.int({ min: 1, max: 9 })}`);
  const utmSources = ['google', 'newsletter', 'linkedin', 'partner'];
  const utmMediums = ['cpc', 'email', 'social'];
  for (let i = 0; i < leadCount; i++) {
    const first = firstNames[i % firstNames.length] as string;
    const last = lastNames[(i * 7) % lastNames.length] as string;
    let email = `${first}.${last}.lead${i}@example.org`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
    if (i < sharedWithContact) email = (contacts[i] as { email: string }).email; // the same person in both
    const body: Row = {
      FirstName: first,
      LastName: last,
      Company: companies[(i * 13) % companies.length] as string,
      Email: email,
      Title: titles[(i * 5) % titles.length] as string,
      LeadSource: leadSources[i % leadSources.length] as string,
      Status: leadStatuses[(i * 3) % leadStatuses.length] as string,
      OwnerId: activeUsers[i % activeUsers.length] as string,
    };
    if (i % 4 === 0) {
      body['utm_source__c'] = utmSources[(i / 4) % utmSources.length] as string;
      body['utm_medium__c'] = utmMediums[i % utmMediums.length] as string;
      body['utm_campaign__c'] = campaigns[i % campaigns.length] as string;
    }
    leads.push(insert('Lead', body));
  }
  // Some Leads share one email (20 pairs): the second of each pair takes the first's email.
  const leadTable = org.table('Lead');
  for (let p = 0; p < Math.min(20, Math.floor(leadCount / 20)); p++) {
    const a = leads[sharedWithContact + 2 * p];
    const b = leads[sharedWithContact + 2 * p + 1];
    const rowA = a ? leadTable?.get(a) : undefined;
    if (a && b && rowA)
      transact(org, (tx) =>
        writer.update(
          tx,
          { userId: adminUserId, origin: 'seed' },
          'Lead',
          b,
          { Email: rowA['Email'] },
          opts,
        ),
      );
  }
  // Some Leads are converted into the Contact (and Account) that shares their email.
  for (let i = 0; i < Math.min(50, sharedWithContact); i++) {
    const contact = contacts[i] as { id: string; accountId: string | null };
    const patch: Row = {
      IsConverted: true,
      Status: 'Closed - Converted',
      ConvertedContactId: contact.id,
      ConvertedDate: formatDate(clock),
    };
    if (contact.accountId) patch['ConvertedAccountId'] = contact.accountId;
    transact(org, (tx) =>
      writer.update(
        tx,
        { userId: adminUserId, origin: 'seed' },
        'Lead',
        leads[i] as string,
        patch,
        opts,
      ),
    );
  }

  for (let i = 0; i < (options.opportunities ?? 400) && accounts.length > 0; i++) {
    insert('Opportunity', {
      Name: `${faker.commerce.productName()} deal`,
      AccountId: faker.helpers.arrayElement(accounts),
      StageName: faker.helpers.arrayElement(stages),
      Amount: faker.number.int({ min: 1, max: 500 }) * 100,
      CloseDate: formatDate(seedEpochMs + faker.number.int({ min: -90, max: 180 }) * 86_400_000),
      OwnerId: pickOwner(),
    });
  }

  const caseTypes = org.type('Case')?.recordTypes.filter((rt) => !rt.master) ?? [];
  for (let i = 0; i < (options.cases ?? 300) && contacts.length > 0; i++) {
    const rt = caseTypes[i % Math.max(1, caseTypes.length)];
    const contact = faker.helpers.arrayElement(contacts);
    const body: Row = {
      Subject: faker.lorem.sentence({ min: 3, max: 8 }),
      Description: faker.lorem.paragraph(),
      ContactId: contact.id,
      Status: faker.helpers.arrayElement(['New', 'Working', 'Escalated', 'Closed']),
      Origin: faker.helpers.arrayElement(['Phone', 'Email', 'Web']),
      OwnerId: pickOwner(),
    };
    if (contact.accountId) body['AccountId'] = contact.accountId;
    if (rt) {
      body['RecordTypeId'] = rt.id;
      const types = rt.picklists['Type'];
      if (types) body['Type'] = faker.helpers.arrayElement(types);
    }
    insert('Case', body);
  }

  for (let i = 0; i < (options.tasks ?? 500); i++) {
    const body: Row = {
      Subject: faker.helpers.arrayElement(['Call', 'Email', 'Send Letter', 'Send Quote', 'Other']),
      Status: faker.helpers.arrayElement(['Not Started', 'In Progress', 'Completed']),
      Priority: faker.helpers.arrayElement(['High', 'Normal', 'Low']),
      ActivityDate: formatDate(seedEpochMs + faker.number.int({ min: -30, max: 30 }) * 86_400_000),
      OwnerId: pickOwner(),
    };
    if (i % 2 === 0 && contacts.length > 0) {
      const c = faker.helpers.arrayElement(contacts);
      body['WhoId'] = c.id;
      if (c.accountId) body['WhatId'] = c.accountId;
    } else if (leads.length > 0) body['WhoId'] = faker.helpers.arrayElement(leads);
    insert('Task', body);
  }
}
