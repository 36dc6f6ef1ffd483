import { findContact, touch } from '../contacts.ts';
import type { ApiRequest, Ops } from '../context.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { asBody, optId, optString } from '../input.ts';
import { route } from '../route.ts';
import type { ContactRecord, TagRecord } from '../state.ts';
import { contactView, tagView } from '../views.ts';
import { findConversation } from '../conversations.ts';

function findTag(ops: Ops, id: string): TagRecord {
  const tag = ops.ws.tags.get(id);
  if (tag === undefined) throw notFound('Resource Not Found', 'not_found');
  return tag;
}

export function createTag(ops: Ops, name: string): TagRecord {
  const existing = [...ops.ws.tags.values()].find((tag) => tag.name === name);
  if (existing !== undefined) return existing;
  const tag = { id: ops.ws.nextTagId(), name };
  ops.ws.tags.set(tag.id, tag);
  return tag;
}

function emitContactTag(ops: Ops, topic: string, contact: ContactRecord, tag: TagRecord) {
  ops.emit(`contact.${contact.role}.tag.${topic}`, (version) => ({
    type: 'contact_tag',
    tag: tagView(tag),
    contact: contactView(ops.ws, contact, version, 'webhook'),
  }));
}

/** POST /tags: create a tag, rename one (with id), or tag/untag companies and users. */
function createOrUpdate(req: ApiRequest) {
  const { ops } = req;
  const body = asBody(req.body);
  const name = optString(body, 'name');
  if (!name) throw badRequest('name is required', 'parameter_not_found', 'name');
  const id = optId(body, 'id');
  let tag: TagRecord;
  if (id !== undefined) {
    tag = findTag(ops, id);
    tag.name = name;
  } else {
    tag = createTag(ops, name);
  }
  const companies = body['companies'];
  if (Array.isArray(companies)) {
    for (const entry of companies as Record<string, unknown>[]) {
      const company =
        typeof entry?.['id'] === 'string'
          ? ops.ws.companies.get(entry['id'])
          : typeof entry?.['company_id'] === 'string'
            ? ops.ws.companyByCompanyId(entry['company_id'])
            : undefined;
      if (company === undefined) throw notFound('Company Not Found', 'company_not_found');
      company.tag_ids = company.tag_ids.filter((tagId) => tagId !== tag.id);
      if (entry['untag'] !== true) company.tag_ids.push(tag.id);
      company.updated_at = Math.max(ops.now(), company.updated_at);
    }
  }
  const users = body['users'];
  if (Array.isArray(users)) {
    for (const entry of users as Record<string, unknown>[]) {
      const contact = findContact(ops.ws, String(entry?.['id'] ?? ''));
      tagContact(ops, contact, tag);
    }
  }
  return tagView(tag);
}

function tagContact(ops: Ops, contact: ContactRecord, tag: TagRecord) {
  let applied = contact.tags.find((t) => t.id === tag.id);
  if (applied === undefined) {
    applied = { id: tag.id, applied_at: ops.now(), admin_id: ops.tokenAdminId() };
    contact.tags.push(applied);
    touch(ops, contact);
    emitContactTag(ops, 'created', contact, tag);
  }
  return applied;
}

function contactForTagging(ops: Ops, id: string): ContactRecord {
  const contact = ops.ws.contacts.get(id);
  if (contact === undefined || contact.archived)
    throw new ApiError(404, 'not_found', 'Contact not found');
  return contact;
}

export const tagRoutes = [
  route('GET', '/tags', (req) => ({
    type: 'list',
    data: [...req.ops.ws.tags.values()].map(tagView),
  })),
  route('POST', '/tags', createOrUpdate),
  route('GET', '/tags/:tag_id', (req) => tagView(findTag(req.ops, req.params['tag_id'] ?? ''))),
  route('DELETE', '/tags/:tag_id', (req) => {
    const tag = findTag(req.ops, req.params['tag_id'] ?? '');
    const { ws } = req.ops;
    const used =
      [...ws.companies.values()].some((company) => company.tag_ids.includes(tag.id)) ||
      [...ws.contacts.values()].some((contact) => contact.tags.some((t) => t.id === tag.id)) ||
      [...ws.conversations.values()].some((c) => c.tags.some((t) => t.id === tag.id));
    if (used)
      throw badRequest('Unable to delete Tag with dependent objects', 'tag_has_dependent_objects');
    ws.tags.delete(tag.id);
    return undefined;
  }),
  route('GET', '/contacts/:contact_id/tags', (req) => {
    const contact = findContact(req.ops.ws, req.params['contact_id'] ?? '');
    return {
      type: 'list',
      data: contact.tags.flatMap((applied) => {
        const tag = req.ops.ws.tags.get(applied.id);
        return tag === undefined ? [] : [tagView(tag)];
      }),
    };
  }),
  route('POST', '/contacts/:contact_id/tags', (req) => {
    const contact = contactForTagging(req.ops, req.params['contact_id'] ?? '');
    const id = optId(asBody(req.body), 'id');
    if (id === undefined) throw badRequest('id is required', 'parameter_not_found', 'id');
    const tag = findTag(req.ops, id);
    const applied = tagContact(req.ops, contact, tag);
    return {
      ...tagView(tag),
      applied_at: applied.applied_at,
      applied_by: { type: 'admin', id: applied.admin_id },
    };
  }),
  route('DELETE', '/contacts/:contact_id/tags/:tag_id', (req) => {
    const contact = contactForTagging(req.ops, req.params['contact_id'] ?? '');
    const tag = findTag(req.ops, req.params['tag_id'] ?? '');
    if (contact.tags.some((t) => t.id === tag.id)) {
      contact.tags = contact.tags.filter((t) => t.id !== tag.id);
      touch(req.ops, contact);
      emitContactTag(req.ops, 'deleted', contact, tag);
    }
    return tagView(tag);
  }),
  route('POST', '/conversations/:conversation_id/tags', (req) => {
    const conversation = findConversation(
      req.ops,
      req.params['conversation_id'] ?? '',
      'Conversation not found',
    );
    const body = asBody(req.body);
    const id = optId(body, 'id');
    if (id === undefined) throw badRequest('id is required', 'parameter_not_found', 'id');
    const adminId = optId(body, 'admin_id') ?? req.ops.tokenAdminId();
    const tag = findTag(req.ops, id);
    let applied = conversation.tags.find((t) => t.id === tag.id);
    if (applied === undefined) {
      applied = { id: tag.id, applied_at: req.ops.now(), admin_id: adminId };
      conversation.tags.push(applied);
      conversation.updated_at = Math.max(req.ops.now(), conversation.updated_at);
    }
    return {
      ...tagView(tag),
      applied_at: applied.applied_at,
      applied_by: { type: 'admin', id: applied.admin_id },
    };
  }),
  route('DELETE', '/conversations/:conversation_id/tags/:tag_id', (req) => {
    const conversation = findConversation(
      req.ops,
      req.params['conversation_id'] ?? '',
      'Conversation not found',
    );
    const tag = findTag(req.ops, req.params['tag_id'] ?? '');
    conversation.tags = conversation.tags.filter((t) => t.id !== tag.id);
    conversation.updated_at = Math.max(req.ops.now(), conversation.updated_at);
    return tagView(tag);
  }),
];
