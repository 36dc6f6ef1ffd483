// Workspaces to start from. `empty`: the token's admin only. `demo`: a deterministic workspace
// (faker with a fixed seed, timestamps from a fixed date) shaped like the Salesforce demo seed:
// admins sharing e-mails with its users, users whose external_id is a Customer_Number__c there.
import { Faker, en } from '@faker-js/faker';
import { appInfo } from './emulator.ts';
import {
  Workspace,
  type AdminRecord,
  type CompanyRecord,
  type ContactRecord,
  type ConversationRecord,
  type DataAttributeRecord,
  type PartRecord,
} from './state.ts';

/** Emails the Salesforce demo seed gives its users; the first demo admins share them. */
export const sharedAdminEmails = [
  'ada.admin@tandem-demo.example',
  'grace.ops@tandem-demo.example',
  'alan.sales@tandem-demo.example',
  'katherine.support@tandem-demo.example',
] as const;

/** Customer_Number__c of the Salesforce demo seed: CN-000001 … */
export const customerNumber = (n: number) => `CN-${String(n).padStart(6, '0')}`;

/** 2026-01-01T00:00:00Z: demo timestamps are fixed so that two seeds are identical. */
export const demoEpoch = 1_767_225_600;

export interface DemoOptions {
  contacts?: number;
  companies?: number;
  conversations?: number;
  seed?: number;
}

export function emptyWorkspace(): Workspace {
  const ws = new Workspace({ ...appInfo });
  ws.admins.set('991267001', {
    id: '991267001',
    name: 'Tandem Admin',
    email: 'admin@tandem-demo.example',
    job_title: 'Administrator',
    away_mode_enabled: false,
    away_mode_reassign: false,
    has_inbox_seat: true,
    team_ids: [],
  });
  return ws;
}

function attribute(
  id: number,
  model: 'contact' | 'company',
  name: string,
  data_type: DataAttributeRecord['data_type'],
  options: string[] = [],
): DataAttributeRecord {
  return {
    id,
    model,
    name,
    label: name.replace(/_/g, ' '),
    description: `Demo ${model} attribute ${name}`,
    data_type,
    options,
    messenger_writable: false,
    archived: false,
    created_at: demoEpoch - 400 * 86_400,
    updated_at: demoEpoch - 400 * 86_400,
    admin_id: '991267001',
  };
}

export function demoWorkspace(options: DemoOptions = {}): Workspace {
  const faker = new Faker({ locale: [en] });
  faker.seed(options.seed ?? 4420);
  const ws = new Workspace({ ...appInfo });
  const contactCount = options.contacts ?? 2000;
  const companyCount = options.companies ?? 300;
  const conversationCount = options.conversations ?? 400;

  // Admins and teams.
  const admins: AdminRecord[] = [];
  for (let i = 0; i < 10; i++) {
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    admins.push({
      id: String(991267001 + i),
      name: `${first} ${last}`,
      email:
        sharedAdminEmails[i] ??
        faker.internet
          .email({ firstName: first, lastName: last, provider: 'tandem-demo.example' })
          .toLowerCase(),
      job_title: faker.person.jobTitle(),
      away_mode_enabled: i === 9,
      away_mode_reassign: false,
      has_inbox_seat: i < 8,
      team_ids: [],
    });
  }
  const teamNames = ['Support', 'Sales', 'Success'];
  teamNames.forEach((name, t) => {
    const id = String(5017001 + t);
    const members = admins.filter((_, i) => i % 3 === t);
    for (const admin of members) admin.team_ids.push(Number(id));
    ws.teams.set(id, { id, name, admin_ids: members.map((admin) => Number(admin.id)) });
  });
  for (const admin of admins) ws.admins.set(admin.id, admin);

  // Data attributes and tags.
  const attributes = [
    attribute(1101, 'contact', 'plan', 'string', ['free', 'pro', 'enterprise']),
    attribute(1102, 'contact', 'seats', 'integer'),
    attribute(1103, 'contact', 'mrr', 'float'),
    attribute(1104, 'contact', 'beta_tester', 'boolean'),
    attribute(1105, 'contact', 'trial_ends_at', 'date'),
    attribute(1106, 'company', 'tier', 'string'),
    attribute(1107, 'company', 'account_manager', 'string'),
  ];
  for (const a of attributes) ws.dataAttributes.set(a.id, a);
  ws.restoreCounters({ attribute: attributes.length });
  const tagNames = ['VIP', 'Churn risk', 'Beta', 'Feature Request', 'Bug', 'Onboarding'];
  const tagIds = tagNames.map((name) => {
    const id = ws.nextTagId();
    ws.tags.set(id, { id, name });
    return id;
  });

  // Name pools keep a million contacts fast while staying deterministic.
  const firstNames = Array.from({ length: 400 }, () => faker.person.firstName());
  const lastNames = Array.from({ length: 400 }, () => faker.person.lastName());
  const domains = Array.from({ length: 200 }, () => faker.internet.domainName());
  const cities = Array.from({ length: 60 }, () => [
    faker.location.city(),
    faker.location.country(),
  ]);
  const pick = <T>(list: T[]) => list[faker.number.int({ max: list.length - 1 })] as T;

  // Companies.
  const companies: CompanyRecord[] = [];
  for (let i = 0; i < companyCount; i++) {
    const { id, seq } = ws.nextCompanyId();
    const created = demoEpoch - faker.number.int({ min: 30, max: 700 }) * 86_400;
    const company: CompanyRecord = {
      id,
      seq,
      company_id: `ACC-${String(i + 1).padStart(5, '0')}`,
      name: faker.company.name(),
      plan: pick(['free', 'pro', 'enterprise']),
      size: faker.number.int({ min: 1, max: 5000 }),
      website: `https://${pick(domains)}`,
      industry: faker.commerce.department(),
      monthly_spend: faker.number.int({ max: 20_000 }),
      session_count: faker.number.int({ max: 500 }),
      remote_created_at: created - 86_400 * 30,
      created_at: created,
      updated_at: created + faker.number.int({ max: 29 }) * 86_400,
      last_request_at: created + faker.number.int({ max: 29 }) * 86_400,
      custom_attributes: {
        tier: pick(['bronze', 'silver', 'gold']),
        account_manager: pick(admins).name,
      },
      tag_ids: i % 10 === 0 ? [tagIds[0] as string] : [],
    };
    ws.putCompany(company);
    companies.push(company);
  }

  // Contacts: three users for each lead; most users carry a customer number as external_id;
  // every 20th lead shares its e-mail with a user.
  const users: ContactRecord[] = [];
  const leads: ContactRecord[] = [];
  let customer = 0;
  for (let i = 0; i < contactCount; i++) {
    const { id, seq } = ws.nextContactId();
    const role = i % 4 === 3 ? 'lead' : 'user';
    const first = pick(firstNames);
    const last = pick(lastNames);
    const created =
      demoEpoch -
      faker.number.int({ min: 1, max: 720 }) * 86_400 -
      faker.number.int({ max: 86_399 });
    const updated =
      created + faker.number.int({ max: 60 }) * 86_400 + faker.number.int({ max: 86_399 });
    const [city, country] = pick(cities) as [string, string];
    let email: string | null = `${first}.${last}.${i}@${pick(domains)}`
      .toLowerCase()
      .replace(/[^a-z0-9.@-]/g, '');
    if (role === 'lead' && leads.length % 20 === 0 && users.length > 0) email = pick(users).email;
    if (role === 'lead' && leads.length % 7 === 6) email = null;
    const custom: Record<string, unknown> = {};
    if (role === 'user') {
      custom['plan'] = pick(['free', 'pro', 'enterprise']);
      custom['seats'] = faker.number.int({ min: 1, max: 250 });
      if (i % 3 === 0) custom['mrr'] = faker.number.float({ min: 0, max: 5000, fractionDigits: 2 });
      if (i % 5 === 0) custom['beta_tester'] = true;
      if (i % 11 === 0) custom['trial_ends_at'] = created + 14 * 86_400;
    }
    const contact: ContactRecord = {
      id,
      seq,
      role,
      external_id: role === 'user' && i % 5 !== 4 ? customerNumber(++customer) : null,
      email,
      phone: i % 3 === 0 ? faker.phone.number({ style: 'international' }) : null,
      name: `${first} ${last}`,
      avatar: null,
      owner_id: i % 6 === 0 ? Number(pick(admins).id) : null,
      unsubscribed_from_emails: i % 17 === 0,
      created_at: created,
      updated_at: Math.min(updated, demoEpoch),
      signed_up_at: role === 'user' ? created : null,
      last_seen_at: Math.min(updated, demoEpoch),
      last_replied_at: null,
      last_contacted_at: null,
      city,
      country,
      custom_attributes: custom,
      tags:
        i % 9 === 0 ? [{ id: pick(tagIds), applied_at: created, admin_id: pick(admins).id }] : [],
      company_ids: [],
      archived: false,
    };
    ws.putContact(contact);
    (role === 'user' ? users : leads).push(contact);
  }

  // Every company gets contacts: users spread over companies, a few with two companies.
  if (companies.length > 0) {
    users.forEach((user, i) => {
      if (i % 10 === 9 && i >= companies.length) return; // some users have no company
      ws.attach(user, companies[i % companies.length] as CompanyRecord);
      if (i % 25 === 0) ws.attach(user, pick(companies));
    });
  }

  // Conversations with parts: some with images, tagged, closed, assigned.
  const contacts = [...users.slice(0, 800), ...leads.slice(0, 200)];
  for (let i = 0; i < conversationCount && contacts.length > 0; i++) {
    const contact = pick(contacts);
    const { id, seq } = ws.nextConversationId();
    const created = Math.max(
      contact.created_at,
      demoEpoch - faker.number.int({ min: 1, max: 120 }) * 86_400,
    );
    const admin = pick(admins);
    const parts: PartRecord[] = [];
    let at = created;
    const replies = faker.number.int({ min: 1, max: 5 });
    for (let r = 0; r < replies; r++) {
      at += faker.number.int({ min: 60, max: 7200 });
      const fromAdmin = r % 2 === 0;
      const withImage = i % 8 === 0 && r === 0;
      parts.push({
        id: ws.nextPartId(),
        part_type: 'comment',
        body: `<p>${faker.lorem.sentence()}</p>${withImage ? `<img src="https://downloads.tandem-demo.example/screenshot-${i}.png">` : ''}`,
        created_at: at,
        updated_at: at,
        author: fromAdmin
          ? { type: 'admin', id: admin.id }
          : { type: contact.role, id: contact.id },
        assigned_to: null,
        attachments: withImage
          ? [
              {
                type: 'upload',
                name: `screenshot-${i}.png`,
                url: `https://downloads.tandem-demo.example/screenshot-${i}.png`,
                content_type: 'image/png',
                filesize: 48_213,
                width: 1280,
                height: 800,
              },
            ]
          : [],
        state: 'open',
      });
    }
    const assigned = i % 3 !== 0;
    if (assigned) {
      at += 30;
      parts.push({
        id: ws.nextPartId(),
        part_type: 'assignment',
        body: null,
        created_at: at,
        updated_at: at,
        author: { type: 'admin', id: admin.id },
        assigned_to: { type: 'admin', id: admin.id },
        attachments: [],
        state: 'open',
      });
    }
    const closed = i % 4 === 0;
    if (closed) {
      at += 600;
      parts.push({
        id: ws.nextPartId(),
        part_type: 'close',
        body: null,
        created_at: at,
        updated_at: at,
        author: { type: 'admin', id: admin.id },
        assigned_to: null,
        attachments: [],
        state: 'closed',
      });
    }
    const conversation: ConversationRecord = {
      id,
      seq,
      title: i % 5 === 0 ? faker.lorem.words(3) : null,
      created_at: created,
      updated_at: at,
      waiting_since: closed ? null : at,
      snoozed_until: null,
      state: closed ? 'closed' : 'open',
      read: closed,
      priority: i % 10 === 0 ? 'priority' : 'not_priority',
      admin_assignee_id: assigned ? Number(admin.id) : null,
      team_assignee_id: assigned ? (admin.team_ids[0] ?? null) : null,
      contact_ids: [contact.id],
      tags: i % 6 === 0 ? [{ id: pick(tagIds), applied_at: created, admin_id: admin.id }] : [],
      source: {
        type: 'conversation',
        id: String(400_000_000 + seq),
        delivered_as: 'customer_initiated',
        subject: '',
        body: `<p>${faker.lorem.sentences(2)}</p>`,
        author: { type: contact.role, id: contact.id },
      },
      custom_attributes: { issue_type: pick(['billing', 'bug', 'question']) },
      parts,
    };
    ws.conversations.set(id, conversation);
    contact.last_replied_at = Math.max(contact.last_replied_at ?? 0, created);
  }
  return ws;
}
