// Contact operations shared by the REST API and the control plane: creation with Intercom's
// uniqueness rules (409 conflict), updates that move updated_at and notify, custom attributes
// checked against data attributes, owner_id checked against admins.
import { ApiError, badRequest, notFound } from './errors.ts';
import type { Ops } from './context.ts';
import {
  asBody,
  onlyKnown,
  optBoolean,
  optInteger,
  optObject,
  optString,
  type Body,
} from './input.ts';
import type { ContactRecord, Role, Workspace } from './state.ts';
import { contactView } from './views.ts';
import { checkCustomAttributes } from './custom-attributes.ts';

const writable = [
  'role',
  'external_id',
  'email',
  'phone',
  'name',
  'avatar',
  'signed_up_at',
  'last_seen_at',
  'owner_id',
  'unsubscribed_from_emails',
  'custom_attributes',
] as const;

export function findContact(ws: Workspace, id: string): ContactRecord {
  const contact = ws.contacts.get(id);
  if (contact === undefined || contact.archived) throw notFound('User Not Found');
  return contact;
}

function readRole(body: Body): Role | undefined {
  const role = optString(body, 'role');
  if (role === undefined || role === null) return undefined;
  if (role !== 'user' && role !== 'lead')
    throw badRequest(
      `'${role}' is not a valid role: use user or lead`,
      'parameter_invalid',
      'role',
    );
  return role;
}

function readOwner(ops: Ops, body: Body): number | null | undefined {
  const raw = body['owner_id'];
  if (raw === undefined || raw === null) return raw;
  // 2.16 types owner_id as a string; earlier versions as an integer. Both are read.
  const id =
    typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : optInteger(body, 'owner_id');
  if (typeof id !== 'number' || !ops.ws.admins.has(String(id)))
    throw badRequest('The owner specified is not a member of the workspace', 'parameter_invalid');
  return id;
}

function conflict(existing: ContactRecord): ApiError {
  const archived = existing.archived ? 'An archived contact' : 'A contact';
  return new ApiError(
    409,
    'conflict',
    `${archived} matching those details already exists with id=${existing.id}`,
  );
}

/** A user is unique by external_id and by email; a lead only by external_id. */
function findDuplicate(
  ws: Workspace,
  role: Role,
  email: string | null,
  externalId: string | null,
  self?: string,
): ContactRecord | undefined {
  if (externalId !== null) {
    const found = ws.contactByExternalId(externalId);
    if (found !== undefined && found.id !== self) return found;
  }
  if (role === 'user' && email !== null) {
    return ws.contactsByEmail(email).find((other) => other.role === 'user' && other.id !== self);
  }
  return undefined;
}

function validEmail(email: string | null | undefined): void {
  if (email === undefined || email === null || email === '') return;
  if (!/^[^\s@]+@[^\s@]+$/.test(email))
    throw badRequest('The email address is invalid', 'parameter_invalid', 'email');
}

export function createContact(ops: Ops, raw: unknown): ContactRecord {
  const body = asBody(raw);
  onlyKnown(body, writable);
  const role = readRole(body);
  const email = optString(body, 'email') || null;
  const externalId = optString(body, 'external_id') || null;
  if (role === undefined && email === null && externalId === null)
    throw badRequest('Please provide one of email, external_id or role', 'parameter_not_found');
  validEmail(email);
  const name = optString(body, 'name');
  const phone = optString(body, 'phone');
  const avatar = optString(body, 'avatar');
  const signedUpAt = optInteger(body, 'signed_up_at');
  const lastSeenAt = optInteger(body, 'last_seen_at');
  const unsubscribed = optBoolean(body, 'unsubscribed_from_emails');
  const ownerId = readOwner(ops, body);
  const custom = checkCustomAttributes(ops.ws, 'contact', optObject(body, 'custom_attributes'));
  const finalRole = role ?? 'user';
  const duplicate = findDuplicate(ops.ws, finalRole, email, externalId);
  if (duplicate !== undefined) throw conflict(duplicate);
  const now = ops.now();
  const { id, seq } = ops.ws.nextContactId();
  const contact: ContactRecord = {
    id,
    seq,
    role: finalRole,
    external_id: externalId,
    email,
    phone: phone ?? null,
    name: name ?? null,
    avatar: avatar ?? null,
    owner_id: ownerId ?? null,
    unsubscribed_from_emails: unsubscribed ?? false,
    created_at: now,
    updated_at: now,
    signed_up_at: signedUpAt ?? (finalRole === 'user' ? now : null),
    last_seen_at: lastSeenAt ?? null,
    last_replied_at: null,
    last_contacted_at: null,
    city: null,
    country: null,
    custom_attributes: dropNulls(custom ?? {}),
    tags: [],
    company_ids: [],
    archived: false,
  };
  ops.ws.putContact(contact);
  emitContact(ops, `contact.${contact.role}.created`, contact);
  return contact;
}

function dropNulls(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null));
}

export function emitContact(ops: Ops, topic: string, contact: ContactRecord): void {
  ops.emit(topic, (version) => contactView(ops.ws, contact, version, 'webhook'));
}

export function touch(ops: Ops, contact: ContactRecord): void {
  // updated_at moves on every change, even within the same second as the previous one.
  contact.updated_at = Math.max(ops.now(), contact.updated_at);
}

export function updateContact(ops: Ops, id: string, raw: unknown): ContactRecord {
  const contact = findContact(ops.ws, id);
  const body = asBody(raw);
  onlyKnown(body, writable);
  const role = readRole(body);
  const email = optString(body, 'email');
  const externalId = optString(body, 'external_id');
  validEmail(email);
  const name = optString(body, 'name');
  const phone = optString(body, 'phone');
  const avatar = optString(body, 'avatar');
  const signedUpAt = optInteger(body, 'signed_up_at');
  const lastSeenAt = optInteger(body, 'last_seen_at');
  const unsubscribed = optBoolean(body, 'unsubscribed_from_emails');
  const ownerId = readOwner(ops, body);
  const custom = checkCustomAttributes(ops.ws, 'contact', optObject(body, 'custom_attributes'));

  const next = { ...contact };
  if (role !== undefined) next.role = role;
  if (email !== undefined) next.email = email || null;
  if (externalId !== undefined) next.external_id = externalId || null;
  if (name !== undefined) next.name = name;
  if (phone !== undefined) next.phone = phone;
  if (avatar !== undefined) next.avatar = avatar;
  if (signedUpAt !== undefined) next.signed_up_at = signedUpAt;
  if (lastSeenAt !== undefined) next.last_seen_at = lastSeenAt;
  if (unsubscribed !== undefined && unsubscribed !== null)
    next.unsubscribed_from_emails = unsubscribed;
  if (ownerId !== undefined) next.owner_id = ownerId;
  if (custom !== undefined && custom !== null)
    next.custom_attributes = dropNulls({ ...contact.custom_attributes, ...custom });
  if (contact.role === 'user' && next.role === 'lead')
    throw badRequest('A user cannot be converted to a lead', 'parameter_invalid', 'role');
  const duplicate = findDuplicate(ops.ws, next.role, next.email, next.external_id, contact.id);
  if (duplicate !== undefined) throw conflict(duplicate);

  const changed = (Object.keys(next) as (keyof ContactRecord)[]).filter(
    (key) => JSON.stringify(next[key]) !== JSON.stringify(contact[key]),
  );
  if (changed.length === 0) return contact;
  const before = { email: contact.email, external_id: contact.external_id, role: contact.role };
  if (before.role === 'lead' && next.role === 'user' && next.signed_up_at === null)
    next.signed_up_at = ops.now();
  Object.assign(contact, next);
  touch(ops, contact);
  ops.ws.reindexContact(contact, before);
  notifyUpdate(ops, contact, before);
  return contact;
}

/** The topics Intercom sends for an update, given what the contact was before. */
export function notifyUpdate(
  ops: Ops,
  contact: ContactRecord,
  before: { email: string | null; role: Role },
): void {
  if (before.role === 'lead' && contact.role === 'user') {
    emitContact(ops, 'contact.lead.signed_up', contact);
  } else {
    emitContact(ops, `contact.${contact.role}.updated`, contact);
  }
  if (before.email !== contact.email) {
    if (before.email === null && contact.role === 'lead')
      emitContact(ops, 'contact.lead.added_email', contact);
    emitContact(ops, 'contact.email.updated', contact);
  }
}

/** A lead signing up in the Messenger: it becomes a user, keeping its id. */
export function signUpLead(ops: Ops, id: string, raw: unknown): ContactRecord {
  const contact = findContact(ops.ws, id);
  if (contact.role !== 'lead') throw badRequest('Only a lead can sign up', 'parameter_invalid');
  const body = asBody(raw);
  const email = optString(body, 'email') ?? contact.email;
  const externalId = optString(body, 'external_id') ?? contact.external_id;
  validEmail(email);
  const duplicate = findDuplicate(ops.ws, 'user', email, externalId, contact.id);
  if (duplicate !== undefined) throw conflict(duplicate);
  const before = { email: contact.email, external_id: contact.external_id, role: contact.role };
  contact.role = 'user';
  contact.email = email;
  contact.external_id = externalId;
  contact.signed_up_at = ops.now();
  touch(ops, contact);
  ops.ws.reindexContact(contact, before);
  notifyUpdate(ops, contact, before);
  return contact;
}

export function deleteContact(ops: Ops, id: string): ContactRecord {
  const contact = ops.ws.contacts.get(id);
  if (contact === undefined) throw notFound('User Not Found');
  ops.ws.removeContact(contact, 'deleted');
  // *.deleted topics carry only identifying fields (Intercom's webhook topics page).
  const reference = { type: 'contact', id: contact.id, external_id: contact.external_id };
  ops.emit('contact.deleted', () => reference);
  return contact;
}

export function archiveContact(ops: Ops, id: string, archived: boolean): ContactRecord {
  const contact = ops.ws.contacts.get(id);
  if (contact === undefined) throw notFound('User Not Found');
  if (contact.archived === archived) return contact;
  contact.archived = archived;
  ops.ws.archivedCount += archived ? 1 : -1;
  touch(ops, contact);
  // The docs' topic table names the second one `contact.unarchive` (sic).
  emitContact(ops, archived ? 'contact.archived' : 'contact.unarchive', contact);
  return contact;
}

/** Merges a lead into a user: the user keeps its values and gains the lead's missing ones,
 * tags, companies and conversations; the lead is gone (404) afterwards. */
export function mergeContacts(ops: Ops, raw: unknown): ContactRecord {
  const body = asBody(raw);
  onlyKnown(body, ['from', 'into']);
  const fromId = optString(body, 'from');
  const intoId = optString(body, 'into');
  if (!fromId || !intoId) throw badRequest('from and into are required', 'parameter_not_found');
  const from = findContact(ops.ws, fromId);
  const into = findContact(ops.ws, intoId);
  if (from.role !== 'lead') throw badRequest('from must be a lead', 'parameter_invalid', 'from');
  if (into.role !== 'user') throw badRequest('into must be a user', 'parameter_invalid', 'into');
  into.name ??= from.name;
  into.phone ??= from.phone;
  into.avatar ??= from.avatar;
  into.owner_id ??= from.owner_id;
  into.city ??= from.city;
  into.country ??= from.country;
  if (into.email === null && from.email !== null) {
    const before = { email: into.email, external_id: into.external_id };
    into.email = from.email;
    ops.ws.reindexContact(into, before);
  }
  into.custom_attributes = { ...from.custom_attributes, ...into.custom_attributes };
  for (const tag of from.tags) if (!into.tags.some((t) => t.id === tag.id)) into.tags.push(tag);
  for (const companyId of from.company_ids) {
    const company = ops.ws.companies.get(companyId);
    if (company !== undefined) ops.ws.attach(into, company);
  }
  for (const conversation of ops.ws.conversations.values()) {
    if (conversation.contact_ids.includes(from.id))
      conversation.contact_ids = [
        ...new Set(conversation.contact_ids.map((cid) => (cid === from.id ? into.id : cid))),
      ];
  }
  ops.ws.removeContact(from, 'merged');
  touch(ops, into);
  // contact.merged carries the surviving contact plus `merged_from` (webhook topics page).
  ops.emit('contact.merged', (version) => ({
    ...contactView(ops.ws, into, version, 'webhook'),
    merged_from: { type: 'contact', id: from.id },
  }));
  return into;
}
