// The workspace held in memory: records in Maps, with the indexes lookups need (id, email,
// external_id, company_id). Records are the emulator's own shapes; views.ts turns them into
// Intercom's JSON. Nothing here knows HTTP.

export const roles = ['user', 'lead'] as const;
export type Role = (typeof roles)[number];

export interface AdminRecord {
  id: string;
  name: string;
  email: string;
  job_title: string;
  away_mode_enabled: boolean;
  away_mode_reassign: boolean;
  has_inbox_seat: boolean;
  team_ids: number[];
}

export interface TeamRecord {
  id: string;
  name: string;
  admin_ids: number[];
}

export interface ContactRecord {
  id: string;
  seq: number;
  role: Role;
  external_id: string | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  avatar: string | null;
  owner_id: number | null;
  unsubscribed_from_emails: boolean;
  created_at: number;
  updated_at: number;
  signed_up_at: number | null;
  last_seen_at: number | null;
  last_replied_at: number | null;
  last_contacted_at: number | null;
  city: string | null;
  country: string | null;
  custom_attributes: Record<string, unknown>;
  tags: { id: string; applied_at: number; admin_id: string }[];
  company_ids: string[];
  archived: boolean;
}

export interface CompanyRecord {
  id: string;
  seq: number;
  company_id: string;
  name: string | null;
  plan: string | null;
  size: number | null;
  website: string | null;
  industry: string | null;
  monthly_spend: number;
  session_count: number;
  remote_created_at: number | null;
  created_at: number;
  updated_at: number;
  last_request_at: number | null;
  custom_attributes: Record<string, unknown>;
  tag_ids: string[];
}

export interface TagRecord {
  id: string;
  name: string;
}

export const dataTypes = ['string', 'integer', 'float', 'boolean', 'date'] as const;
export type DataType = (typeof dataTypes)[number];

export interface DataAttributeRecord {
  id: number;
  model: 'contact' | 'company';
  name: string;
  label: string;
  description: string;
  data_type: DataType;
  options: string[];
  messenger_writable: boolean;
  archived: boolean;
  created_at: number;
  updated_at: number;
  admin_id: string;
}

export interface PartRecord {
  id: string;
  part_type: string;
  body: string | null;
  created_at: number;
  updated_at: number;
  author: { type: 'admin' | 'user' | 'lead' | 'bot'; id: string };
  assigned_to: { type: 'admin' | 'team'; id: string } | null;
  attachments: {
    type: 'upload';
    name: string;
    url: string;
    content_type: string;
    filesize: number;
    width: number;
    height: number;
  }[];
  state: 'open' | 'closed' | 'snoozed';
}

export interface ConversationRecord {
  id: string;
  seq: number;
  title: string | null;
  created_at: number;
  updated_at: number;
  waiting_since: number | null;
  snoozed_until: number | null;
  state: 'open' | 'closed' | 'snoozed';
  read: boolean;
  priority: 'priority' | 'not_priority';
  admin_assignee_id: number | null;
  team_assignee_id: number | null;
  contact_ids: string[];
  tags: { id: string; applied_at: number; admin_id: string }[];
  source: {
    type: 'conversation' | 'email';
    id: string;
    delivered_as: 'customer_initiated' | 'admin_initiated';
    subject: string;
    body: string;
    author: { type: 'admin' | 'user' | 'lead'; id: string };
  };
  custom_attributes: Record<string, unknown>;
  parts: PartRecord[];
}

export interface AppInfo {
  id_code: string;
  name: string;
  created_at: number;
  timezone: string;
  region: string;
}

/** Lower-cased email → ids (a user and a lead may share an email). */
function addToMulti(index: Map<string, string[]>, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === undefined) index.set(key, [id]);
  else if (!ids.includes(id)) ids.push(id);
}

function removeFromMulti(index: Map<string, string[]>, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === undefined) return;
  const at = ids.indexOf(id);
  if (at >= 0) ids.splice(at, 1);
  if (ids.length === 0) index.delete(key);
}

export const contactIdOf = (seq: number) => '65a0' + seq.toString(16).padStart(20, '0');

export class Workspace {
  app: AppInfo;
  admins = new Map<string, AdminRecord>();
  teams = new Map<string, TeamRecord>();
  contacts = new Map<string, ContactRecord>();
  /** Merged-away and deleted contacts answer 404; kept so that the reason is known. */
  goneContacts = new Map<string, 'merged' | 'deleted'>();
  companies = new Map<string, CompanyRecord>();
  tags = new Map<string, TagRecord>();
  dataAttributes = new Map<number, DataAttributeRecord>();
  conversations = new Map<string, ConversationRecord>();
  /** Archived contacts stay (they block duplicates) but leave lists and search. */
  archivedCount = 0;
  /** The app's one open companies scroll. */
  scroll: { param: string; afterSeq: number; lastUsed: number } | undefined;
  /** Issued by the OAuth code exchange, accepted beside the fixed token. */
  extraTokens = new Set<string>();

  private byEmail = new Map<string, string[]>();
  private byExternalId = new Map<string, string>();
  private byCompanyId = new Map<string, string>();
  /** Company id → ids of the contacts attached to it. */
  private members = new Map<string, Set<string>>();
  private counters = { contact: 0, company: 0, conversation: 0, part: 0, tag: 0, attribute: 0 };

  constructor(app: AppInfo) {
    this.app = app;
  }

  // Ids look like Intercom's: 24 hex characters for contacts and companies, digits elsewhere.
  nextContactId(): { id: string; seq: number } {
    const seq = ++this.counters.contact;
    return { id: contactIdOf(seq), seq };
  }
  nextCompanyId(): { id: string; seq: number } {
    const seq = ++this.counters.company;
    return { id: '66b0' + seq.toString(16).padStart(20, '0'), seq };
  }
  nextConversationId(): { id: string; seq: number } {
    const seq = ++this.counters.conversation;
    return { id: String(1000 + seq), seq };
  }
  nextPartId(): string {
    return String(90000000 + ++this.counters.part);
  }
  nextTagId(): string {
    return String(7000000 + ++this.counters.tag);
  }
  nextAttributeId(): number {
    return 1100 + ++this.counters.attribute;
  }

  contactsByEmail(email: string): ContactRecord[] {
    const ids = this.byEmail.get(email.toLowerCase()) ?? [];
    return ids.flatMap((id) => this.contacts.get(id) ?? []);
  }
  contactByExternalId(externalId: string): ContactRecord | undefined {
    const id = this.byExternalId.get(externalId);
    return id === undefined ? undefined : this.contacts.get(id);
  }
  companyByCompanyId(companyId: string): CompanyRecord | undefined {
    const id = this.byCompanyId.get(companyId);
    return id === undefined ? undefined : this.companies.get(id);
  }

  putContact(contact: ContactRecord): void {
    this.contacts.set(contact.id, contact);
    if (contact.archived) this.archivedCount += 1;
    if (contact.email !== null) addToMulti(this.byEmail, contact.email.toLowerCase(), contact.id);
    if (contact.external_id !== null) this.byExternalId.set(contact.external_id, contact.id);
    for (const companyId of contact.company_ids) {
      let members = this.members.get(companyId);
      if (members === undefined) this.members.set(companyId, (members = new Set()));
      members.add(contact.id);
    }
  }

  /** Keeps the indexes right when email or external_id change. */
  reindexContact(
    contact: ContactRecord,
    before: { email: string | null; external_id: string | null },
  ) {
    if (before.email !== contact.email) {
      if (before.email !== null)
        removeFromMulti(this.byEmail, before.email.toLowerCase(), contact.id);
      if (contact.email !== null) addToMulti(this.byEmail, contact.email.toLowerCase(), contact.id);
    }
    if (before.external_id !== contact.external_id) {
      if (before.external_id !== null && this.byExternalId.get(before.external_id) === contact.id)
        this.byExternalId.delete(before.external_id);
      if (contact.external_id !== null) this.byExternalId.set(contact.external_id, contact.id);
    }
  }

  removeContact(contact: ContactRecord, reason: 'merged' | 'deleted'): void {
    this.contacts.delete(contact.id);
    if (contact.archived) this.archivedCount -= 1;
    this.goneContacts.set(contact.id, reason);
    if (contact.email !== null)
      removeFromMulti(this.byEmail, contact.email.toLowerCase(), contact.id);
    if (contact.external_id !== null && this.byExternalId.get(contact.external_id) === contact.id)
      this.byExternalId.delete(contact.external_id);
    for (const companyId of contact.company_ids) this.members.get(companyId)?.delete(contact.id);
  }

  putCompany(company: CompanyRecord): void {
    this.companies.set(company.id, company);
    this.byCompanyId.set(company.company_id, company.id);
  }

  removeCompany(company: CompanyRecord): void {
    this.companies.delete(company.id);
    this.byCompanyId.delete(company.company_id);
    for (const contactId of this.members.get(company.id) ?? []) {
      const contact = this.contacts.get(contactId);
      if (contact !== undefined)
        contact.company_ids = contact.company_ids.filter((id) => id !== company.id);
    }
    this.members.delete(company.id);
  }

  attach(contact: ContactRecord, company: CompanyRecord): boolean {
    if (contact.company_ids.includes(company.id)) return false;
    contact.company_ids.push(company.id);
    let members = this.members.get(company.id);
    if (members === undefined) this.members.set(company.id, (members = new Set()));
    members.add(contact.id);
    return true;
  }

  detach(contact: ContactRecord, companyId: string): boolean {
    if (!contact.company_ids.includes(companyId)) return false;
    contact.company_ids = contact.company_ids.filter((id) => id !== companyId);
    this.members.get(companyId)?.delete(contact.id);
    return true;
  }

  userCount(companyId: string): number {
    return this.members.get(companyId)?.size ?? 0;
  }

  contactsOfCompany(companyId: string): ContactRecord[] {
    return [...(this.members.get(companyId) ?? [])].flatMap((id) => this.contacts.get(id) ?? []);
  }

  customAttribute(model: 'contact' | 'company', name: string): DataAttributeRecord | undefined {
    for (const attribute of this.dataAttributes.values()) {
      if (attribute.model === model && attribute.name === name) return attribute;
    }
    return undefined;
  }

  counterSnapshot() {
    return { ...this.counters };
  }
  restoreCounters(counters: Partial<Workspace['counters']>): void {
    Object.assign(this.counters, counters);
  }
}
