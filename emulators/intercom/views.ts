// Records → Intercom's JSON, per API version. REST answers carry UNIX seconds; webhook items
// carry contact and company created_at/updated_at as ISO-8601 strings, as the recorded real
// notifications do (see fixtures/webhooks).
import type {
  AdminRecord,
  CompanyRecord,
  ContactRecord,
  ConversationRecord,
  DataAttributeRecord,
  PartRecord,
  TagRecord,
  TeamRecord,
  Workspace,
} from './state.ts';
import { statisticsView } from './statistics.ts';
import { ownerIdIsString, priorityOf, unassignedIsZero, type ApiVersion } from './versions.ts';

export type Flavour = 'rest' | 'webhook';
const embeddedLimit = 10;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('Z', '+00:00');

function embeddedList<T>(items: T[], url: string) {
  return {
    type: 'list',
    data: items.slice(0, embeddedLimit),
    url,
    total_count: items.length,
    has_more: items.length > embeddedLimit,
  };
}

export function contactView(
  ws: Workspace,
  c: ContactRecord,
  version: ApiVersion,
  flavour: Flavour = 'rest',
) {
  const ownerId =
    c.owner_id === null ? null : ownerIdIsString(version) ? String(c.owner_id) : c.owner_id;
  const emailDomain = c.email === null ? null : (c.email.split('@')[1] ?? null);
  return {
    type: 'contact',
    id: c.id,
    workspace_id: ws.app.id_code,
    external_id: c.external_id,
    role: c.role,
    email: c.email ?? '',
    email_domain: emailDomain ?? '',
    phone: c.phone,
    name: c.name,
    avatar: c.avatar === null ? null : { type: 'avatar', image_url: c.avatar },
    owner_id: ownerId,
    social_profiles: { type: 'list', data: [] },
    has_hard_bounced: false,
    marked_email_as_spam: false,
    unsubscribed_from_emails: c.unsubscribed_from_emails,
    created_at: flavour === 'rest' ? c.created_at : iso(c.created_at),
    updated_at: flavour === 'rest' ? c.updated_at : iso(c.updated_at),
    signed_up_at: c.signed_up_at,
    last_seen_at: c.last_seen_at,
    last_replied_at: c.last_replied_at,
    last_contacted_at: c.last_contacted_at,
    last_email_opened_at: null,
    last_email_clicked_at: null,
    language_override: null,
    browser: null,
    browser_version: null,
    browser_language: null,
    os: null,
    location: {
      type: 'location',
      country: c.country,
      region: null,
      city: c.city,
      country_code: null,
      continent_code: null,
    },
    android_app_name: null,
    android_app_version: null,
    android_device: null,
    android_os_version: null,
    android_sdk_version: null,
    android_last_seen_at: null,
    ios_app_name: null,
    ios_app_version: null,
    ios_device: null,
    ios_os_version: null,
    ios_sdk_version: null,
    ios_last_seen_at: null,
    custom_attributes: { ...c.custom_attributes },
    tags: embeddedList(
      c.tags.map((tag) => ({ type: 'tag', id: tag.id, url: `/tags/${tag.id}` })),
      `/contacts/${c.id}/tags`,
    ),
    notes: embeddedList([], `/contacts/${c.id}/notes`),
    companies: embeddedList(
      c.company_ids.map((id) => ({ type: 'company', id, url: `/companies/${id}` })),
      `/contacts/${c.id}/companies`,
    ),
    opted_out_subscription_types: embeddedList([], `/contacts/${c.id}/subscriptions`),
    opted_in_subscription_types: embeddedList([], `/contacts/${c.id}/subscriptions`),
    utm_campaign: null,
    utm_content: null,
    utm_medium: null,
    utm_source: null,
    utm_term: null,
    referrer: null,
    ...(flavour === 'webhook' ? { sms_consent: false, unsubscribed_from_sms: false } : {}),
    enabled_push_messaging: null,
  };
}

export const contactReference = (c: { id: string; external_id: string | null }) => ({
  type: 'contact' as const,
  id: c.id,
  external_id: c.external_id,
});

export function companyView(ws: Workspace, c: CompanyRecord, flavour: Flavour = 'rest') {
  if (flavour === 'webhook') return companyWebhookView(ws, c);
  const view: Record<string, unknown> = {
    type: 'company',
    company_id: c.company_id,
    id: c.id,
    app_id: ws.app.id_code,
  };
  // The 2.14 schema types these as plain (non-nullable) values: absent ones are left out.
  if (c.name !== null) view['name'] = c.name;
  if (c.remote_created_at !== null) view['remote_created_at'] = c.remote_created_at;
  view['created_at'] = flavour === 'rest' ? c.created_at : iso(c.created_at);
  view['updated_at'] = flavour === 'rest' ? c.updated_at : iso(c.updated_at);
  if (c.last_request_at !== null) view['last_request_at'] = c.last_request_at;
  if (c.size !== null) view['size'] = c.size;
  if (c.website !== null) view['website'] = c.website;
  if (c.industry !== null) view['industry'] = c.industry;
  view['monthly_spend'] = c.monthly_spend;
  view['session_count'] = c.session_count;
  view['user_count'] = ws.userCount(c.id);
  view['tags'] = {
    type: 'tag.list',
    tags: c.tag_ids.flatMap((id) => {
      const tag = ws.tags.get(id);
      return tag === undefined ? [] : [tagView(tag)];
    }),
  };
  view['segments'] = { type: 'segment.list', segments: [] };
  view['plan'] =
    c.plan === null ? {} : { type: 'plan', id: String(hashCode(c.plan)), name: c.plan };
  view['custom_attributes'] = { ...c.custom_attributes };
  return view;
}

/** Notifications carry a flatter company than REST (recorded: nulls kept, tag_ids, ISO dates). */
function companyWebhookView(ws: Workspace, c: CompanyRecord) {
  return {
    type: 'company',
    id: c.id,
    name: c.name,
    app_id: ws.app.id_code,
    plan: c.plan === null ? null : { type: 'plan', id: String(hashCode(c.plan)), name: c.plan },
    company_id: c.company_id,
    remote_created_at: c.remote_created_at,
    created_at: iso(c.created_at),
    updated_at: iso(c.updated_at),
    last_request_at: c.last_request_at,
    size: c.size,
    website: c.website,
    industry: c.industry,
    monthly_spend: c.monthly_spend,
    session_count: c.session_count,
    user_count: ws.userCount(c.id),
    custom_attributes: { ...c.custom_attributes },
    tag_ids: [...c.tag_ids],
  };
}

function hashCode(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % 1_000_000;
}

export const tagView = (tag: TagRecord) => ({ type: 'tag', id: tag.id, name: tag.name });

export function appliedTagView(
  ws: Workspace,
  applied: { id: string; applied_at: number; admin_id: string },
) {
  const tag = ws.tags.get(applied.id);
  return {
    type: 'tag',
    id: applied.id,
    name: tag?.name ?? '',
    applied_at: applied.applied_at,
    applied_by: { type: 'admin', id: applied.admin_id },
  };
}

export function adminView(admin: AdminRecord) {
  return {
    type: 'admin',
    email: admin.email,
    id: admin.id,
    name: admin.name,
    job_title: admin.job_title,
    away_mode_enabled: admin.away_mode_enabled,
    away_mode_reassign: admin.away_mode_reassign,
    has_inbox_seat: admin.has_inbox_seat,
    team_ids: admin.team_ids,
  };
}

export function meView(ws: Workspace, admin: AdminRecord) {
  return {
    type: 'admin',
    id: admin.id,
    email: admin.email,
    name: admin.name,
    email_verified: true,
    app: {
      type: 'app',
      id_code: ws.app.id_code,
      name: ws.app.name,
      created_at: ws.app.created_at,
      secure: false,
      identity_verification: false,
      timezone: ws.app.timezone,
      region: ws.app.region,
    },
    avatar: { type: 'avatar', image_url: null },
    has_inbox_seat: admin.has_inbox_seat,
  };
}

export function teamView(team: TeamRecord) {
  return {
    type: 'team',
    id: team.id,
    name: team.name,
    admin_ids: team.admin_ids,
    assignment_limit: null,
    distribution_method: 'round_robin',
  };
}

export function dataAttributeView(attribute: DataAttributeRecord) {
  const view: Record<string, unknown> = {
    type: 'data_attribute',
    id: attribute.id,
    model: attribute.model,
    name: attribute.name,
    full_name: `custom_attributes.${attribute.name}`,
    label: attribute.label,
    description: attribute.description,
    data_type: attribute.data_type,
    api_writable: true,
    ui_writable: true,
    messenger_writable: attribute.messenger_writable,
    custom: true,
    archived: attribute.archived,
    created_at: attribute.created_at,
    updated_at: attribute.updated_at,
    admin_id: attribute.admin_id,
  };
  if (attribute.options.length > 0) view['options'] = attribute.options;
  return view;
}

function authorView(ws: Workspace, author: { type: string; id: string }) {
  if (author.type === 'admin' || author.type === 'bot') {
    const admin = ws.admins.get(author.id);
    return {
      type: author.type,
      id: author.id,
      name: admin?.name ?? 'Operator',
      email: admin?.email ?? 'operator@tandem.example',
      from_ai_agent: false,
      is_ai_answer: false,
    };
  }
  const contact = ws.contacts.get(author.id);
  const view: Record<string, unknown> = {
    type: author.type,
    id: author.id,
    name: contact?.name ?? null,
  };
  if (contact?.email) view['email'] = contact.email;
  return view;
}

function partView(ws: Workspace, part: PartRecord) {
  return {
    type: 'conversation_part',
    id: part.id,
    part_type: part.part_type,
    body: part.body,
    created_at: part.created_at,
    updated_at: part.updated_at,
    notified_at: part.created_at,
    assigned_to: part.assigned_to,
    author: authorView(ws, part.author),
    attachments: part.attachments,
    external_id: null,
    redacted: false,
    metadata: {},
    email_message_metadata: null,
    state: part.state,
    tags: [],
    event_details: null,
    app_package_code: null,
  };
}

/** The REST conversation; `parts` is 'all' for GET by id, 'none' for lists, or the parts a
 * webhook notification is about. */
export function conversationView(
  ws: Workspace,
  c: ConversationRecord,
  version: ApiVersion,
  parts: 'all' | 'none' | PartRecord[],
  flavour: Flavour = 'rest',
) {
  const unassigned = unassignedIsZero(version) ? 0 : null;
  const view: Record<string, unknown> = {
    type: 'conversation',
    id: c.id,
    title: c.title,
    created_at: c.created_at,
    updated_at: c.updated_at,
    waiting_since: c.waiting_since,
    snoozed_until: c.snoozed_until,
    source: {
      type: c.source.type,
      id: c.source.id,
      delivered_as: c.source.delivered_as,
      subject: c.source.subject,
      body: c.source.body,
      author: authorView(ws, c.source.author),
      attachments: [],
      url: null,
      redacted: false,
    },
    contacts: {
      type: 'contact.list',
      contacts: c.contact_ids.map((id) => {
        const contact = ws.contacts.get(id);
        return contactReference({ id, external_id: contact?.external_id ?? null });
      }),
    },
    first_contact_reply:
      c.source.delivered_as === 'customer_initiated'
        ? { created_at: c.created_at, type: 'conversation', url: null }
        : null,
    admin_assignee_id: c.admin_assignee_id ?? unassigned,
    team_assignee_id: c.team_assignee_id ?? unassigned,
    open: c.state !== 'closed',
    state: c.state,
    read: c.read,
    tags: { type: 'tag.list', tags: c.tags.map((tag) => appliedTagView(ws, tag)) },
    priority: priorityOf(version, c.priority),
    sla_applied: null,
    statistics: statisticsView(c, flavour),
    conversation_rating: null,
    // Real answers list teammates under `admins` (recorded notifications, API-NOTES), where the
    // 2.14 schema names an optional `teammates` array.
    teammates: {
      type: 'admin.list',
      admins: [
        ...new Set(c.parts.filter((p) => p.author.type === 'admin').map((p) => p.author.id)),
      ].map((id) => ({ type: 'admin', id })),
    },
    custom_attributes: { ...c.custom_attributes },
    topics: { type: 'topic.list', topics: [], total_count: 0 },
    ticket: null,
    linked_objects: { type: 'list', data: [], total_count: 0, has_more: false },
    ai_agent: null,
    ai_agent_participated: false,
  };
  if (parts !== 'none') {
    const shown = parts === 'all' ? c.parts.slice(-500) : parts;
    view['conversation_parts'] = {
      type: 'conversation_part.list',
      conversation_parts: shown.map((part) => partView(ws, part)),
      total_count: shown.length,
    };
  }
  return view;
}
