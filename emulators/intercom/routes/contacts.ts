import { badRequest, notFound } from '../errors.ts';
import {
  archiveContact,
  createContact,
  deleteContact,
  findContact,
  mergeContacts,
  updateContact,
} from '../contacts.ts';
import type { ApiRequest } from '../context.ts';
import { asBody, decodeCursor, encodeCursor, optObject, perPage } from '../input.ts';
import { pageSorted, type SortKey } from '../pager.ts';
import { route } from '../route.ts';
import { candidates, compileQuery, matches, type FieldKind, type FieldValue } from '../search.ts';
import { contactIdOf, type ContactRecord, type Workspace } from '../state.ts';
import { contactReference, contactView } from '../views.ts';

const dateFields = [
  'created_at',
  'updated_at',
  'signed_up_at',
  'last_seen_at',
  'last_contacted_at',
  'last_replied_at',
  'last_email_opened_at',
  'last_email_clicked_at',
  'ios_last_seen_at',
  'android_last_seen_at',
];
const stringFields = [
  'id',
  'role',
  'name',
  'avatar',
  'phone',
  'external_id',
  'language_override',
  'browser',
  'browser_language',
  'os',
  'location.country',
  'location.region',
  'location.city',
  // Device fields are searchable; the emulator keeps none, so they match only null.
  'ios_app_version',
  'ios_device',
  'ios_app_device',
  'ios_os_version',
  'ios_app_name',
  'ios_sdk_version',
  'android_app_version',
  'android_device',
  'android_app_name',
  'andoid_sdk_version', // sic: the 2.14 table's spelling
  'android_sdk_version',
  'segment_id',
];
const booleanFields = ['unsubscribed_from_emails', 'marked_email_as_spam', 'has_hard_bounced'];

function contactFieldKind(ws: Workspace, field: string): FieldKind | undefined {
  if (dateFields.includes(field)) return 'date';
  if (field === 'email' || field === 'email_domain') return 'istring';
  if (stringFields.includes(field)) return 'string';
  if (booleanFields.includes(field)) return 'boolean';
  if (field === 'owner_id') return 'integer';
  if (field === 'tag_id') return 'tag';
  if (field.startsWith('custom_attributes.')) {
    const attribute = ws.customAttribute('contact', field.slice('custom_attributes.'.length));
    return attribute?.data_type;
  }
  return undefined;
}

function contactField(c: ContactRecord, field: string, kind: FieldKind): FieldValue {
  let value: unknown;
  switch (field) {
    case 'email_domain':
      value = c.email?.split('@')[1] ?? null;
      break;
    case 'location.country':
      value = c.country;
      break;
    case 'location.city':
      value = c.city;
      break;
    case 'tag_id':
      value = c.tags.map((tag) => tag.id);
      break;
    case 'marked_email_as_spam':
    case 'has_hard_bounced':
      value = false;
      break;
    default:
      value = field.startsWith('custom_attributes.')
        ? c.custom_attributes[field.slice('custom_attributes.'.length)]
        : (c as unknown as Record<string, unknown>)[field];
  }
  return { kind, value: value ?? null };
}

const sortable = [...dateFields, ...stringFields, 'email', 'email_domain', 'owner_id'];

function listContacts(req: ApiRequest) {
  const { ws } = req.ops;
  const size = perPage(req.query.get('per_page'), 50);
  const cursor = decodeCursor(req.query.get('starting_after'));
  const afterSeq = typeof cursor?.[0] === 'number' ? cursor[0] : 0;
  const total = ws.contacts.size - ws.archivedCount;
  // Contact ids encode their sequence number, so a page is read by walking sequence numbers
  // from the cursor on, not by scanning the whole workspace.
  const data: ContactRecord[] = [];
  const lastSeq = ws.counterSnapshot().contact;
  let seq = afterSeq + 1;
  for (; seq <= lastSeq && data.length < size; seq++) {
    const contact = ws.contacts.get(contactIdOf(seq));
    if (contact !== undefined && !contact.archived) data.push(contact);
  }
  let hasMore = false;
  for (let probe = seq; probe <= lastSeq; probe++) {
    const contact = ws.contacts.get(contactIdOf(probe));
    if (contact !== undefined && !contact.archived) {
      hasMore = true;
      break;
    }
  }
  const page = pageOf(req.query.get('page'));
  return contactList(req, data, total, size, page, hasMore ? [data.at(-1)?.seq ?? 0] : undefined);
}

function pageOf(raw: string | null): number {
  const page = Number(raw);
  return Number.isInteger(page) && page > 0 ? page : 1;
}

function contactList(
  req: ApiRequest,
  data: ContactRecord[],
  total: number,
  size: number,
  page: number,
  next: (string | number)[] | undefined,
) {
  const pages: Record<string, unknown> = {
    type: 'pages',
    page,
    per_page: size,
    total_pages: Math.max(1, Math.ceil(total / size)),
  };
  if (next !== undefined) pages['next'] = { page: page + 1, starting_after: encodeCursor(next) };
  return {
    type: 'list',
    data: data.map((contact) => contactView(req.ops.ws, contact, req.version)),
    total_count: total,
    pages,
  };
}

function searchContacts(req: ApiRequest) {
  const { ws } = req.ops;
  const body = asBody(req.body);
  if (body['query'] === undefined) throw badRequest('query is required', 'parameter_not_found');
  const query = compileQuery(body['query'], (field) => contactFieldKind(ws, field));
  const pagination = optObject(body, 'pagination') ?? {};
  const size = perPage(pagination['per_page'], 50);
  const cursor = decodeCursor(pagination['starting_after']);
  const sort = optObject(body, 'sort') ?? {};
  const sortField = typeof sort['field'] === 'string' ? sort['field'] : 'created_at';
  if (!sortable.includes(sortField))
    throw badRequest(`${sortField} cannot be sorted on`, 'invalid_field');
  const descending = sort['order'] !== 'ascending' && sort['order'] !== 'asc';
  const sortKind = contactFieldKind(ws, sortField) ?? 'string';
  const resolve = (c: ContactRecord, field: string) =>
    contactField(c, field, contactFieldKind(ws, field) ?? 'string');

  const found: ContactRecord[] = [];
  // id, email and external_id are indexed: a query on them does not scan the workspace.
  const narrowed = candidates<ContactRecord>(query, (field, value) => {
    const text = String(value);
    if (field === 'id')
      return ws.contacts.has(text) ? [ws.contacts.get(text) as ContactRecord] : [];
    if (field === 'email') return ws.contactsByEmail(text);
    if (field === 'external_id')
      return [ws.contactByExternalId(text)].filter((c) => c !== undefined);
    return undefined;
  });
  // Intercom warns that new contacts may take minutes to appear in search; a setting
  // reproduces that (off by default).
  const newest = req.ops.now() - req.ops.searchDelaySeconds;
  for (const contact of narrowed ?? ws.contacts.values()) {
    if (contact.archived || (req.ops.searchDelaySeconds > 0 && contact.created_at > newest))
      continue;
    if (matches(query, contact, resolve)) found.push(contact);
  }
  const key = (c: ContactRecord): SortKey => {
    const value = contactField(c, sortField, sortKind).value;
    return [typeof value === 'number' ? value : String(value ?? ''), c.seq];
  };
  const { data, start, next } = pageSorted(found, key, { descending, size, after: cursor });
  const page = Math.floor(start / size) + 1;
  return contactList(req, data, found.length, size, page, next);
}

export const contactRoutes = [
  route('GET', '/contacts', listContacts),
  route('POST', '/contacts', (req) =>
    contactView(req.ops.ws, createContact(req.ops, req.body), req.version),
  ),
  route('POST', '/contacts/search', searchContacts),
  route('POST', '/contacts/merge', (req) =>
    contactView(req.ops.ws, mergeContacts(req.ops, req.body), req.version),
  ),
  route('GET', '/contacts/find_by_external_id/:external_id', (req) => {
    const contact = req.ops.ws.contactByExternalId(req.params['external_id'] ?? '');
    if (contact === undefined || contact.archived) throw notFound('User Not Found');
    return contactView(req.ops.ws, contact, req.version);
  }),
  route('GET', '/contacts/:contact_id', (req) =>
    contactView(req.ops.ws, findContact(req.ops.ws, req.params['contact_id'] ?? ''), req.version),
  ),
  route('PUT', '/contacts/:contact_id', (req) =>
    contactView(
      req.ops.ws,
      updateContact(req.ops, req.params['contact_id'] ?? '', req.body),
      req.version,
    ),
  ),
  route('DELETE', '/contacts/:contact_id', (req) => ({
    ...contactReference(deleteContact(req.ops, req.params['contact_id'] ?? '')),
    deleted: true,
  })),
  route('POST', '/contacts/:contact_id/archive', (req) => ({
    ...contactReference(archiveContact(req.ops, req.params['contact_id'] ?? '', true)),
    archived: true,
  })),
  route('POST', '/contacts/:contact_id/unarchive', (req) => ({
    ...contactReference(archiveContact(req.ops, req.params['contact_id'] ?? '', false)),
    archived: false,
  })),
];
