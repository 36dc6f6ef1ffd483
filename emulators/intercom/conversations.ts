// Conversation operations: a user starts one, admins and users reply, admins close, open,
// snooze and assign. Every change appends a part, moves updated_at and notifies with the
// conversation and the parts the change added, as Intercom's webhooks carry them. Replies also
// set the contact's last_replied_at / last_contacted_at, which moves its updated_at (without a
// contact notification).
import type { Ops } from './context.ts';
import { touch } from './contacts.ts';
import { badRequest, notFound } from './errors.ts';
import { asBody, optId, optInteger, optString, reqString, type Body } from './input.ts';
import type { ContactRecord, ConversationRecord, PartRecord } from './state.ts';
import { conversationView } from './views.ts';

export function findConversation(ops: Ops, id: string, message = 'Resource Not Found') {
  const conversation = ops.ws.conversations.get(id);
  if (conversation === undefined) throw notFound(message);
  return conversation;
}

function emitConversation(ops: Ops, topic: string, c: ConversationRecord, parts: PartRecord[]) {
  ops.emit(topic, (version) => conversationView(ops.ws, c, version, parts, 'webhook'));
}

function requireAdmin(ops: Ops, body: Body): string {
  const adminId = optId(body, 'admin_id');
  if (adminId === undefined)
    throw badRequest('admin_id is required', 'parameter_not_found', 'admin_id');
  if (!ops.ws.admins.has(adminId)) throw notFound('Admin not found', 'admin_not_found');
  return adminId;
}

function contactFor(ops: Ops, body: Body): ContactRecord {
  const id = optId(body, 'intercom_user_id');
  const externalId = optId(body, 'user_id');
  const email = optString(body, 'email');
  const contact =
    id !== undefined
      ? ops.ws.contacts.get(id)
      : externalId !== undefined
        ? ops.ws.contactByExternalId(externalId)
        : email
          ? ops.ws.contactsByEmail(email)[0]
          : undefined;
  if (contact === undefined || contact.archived) throw notFound('User Not Found');
  return contact;
}

export function addPart(
  ops: Ops,
  c: ConversationRecord,
  part: Omit<PartRecord, 'id' | 'created_at' | 'updated_at' | 'state'>,
  createdAt?: number,
): PartRecord {
  const now = createdAt ?? ops.now();
  const full: PartRecord = {
    ...part,
    id: ops.ws.nextPartId(),
    created_at: now,
    updated_at: now,
    state: c.state,
  };
  c.parts.push(full);
  c.updated_at = Math.max(now, c.updated_at);
  return full;
}

export function createConversation(
  ops: Ops,
  raw: unknown,
): { conversation: ConversationRecord; messageId: string } {
  const body = asBody(raw);
  const from = body['from'];
  if (typeof from !== 'object' || from === null || Array.isArray(from))
    throw badRequest('from is required', 'parameter_not_found', 'from');
  const fromBody = from as Body;
  const type = optString(fromBody, 'type');
  if (type !== 'user' && type !== 'lead' && type !== 'contact')
    throw badRequest('from.type must be one of user, lead, contact', 'parameter_invalid', 'from');
  const contact = ops.ws.contacts.get(reqString(fromBody, 'id'));
  if (contact === undefined || contact.archived) throw notFound('User Not Found');
  const text = reqString(body, 'body');
  const createdAt = optInteger(body, 'created_at') ?? ops.now();
  const { id, seq } = ops.ws.nextConversationId();
  const messageId = String(400_000_000 + seq);
  const conversation: ConversationRecord = {
    id,
    seq,
    title: null,
    created_at: createdAt,
    updated_at: createdAt,
    waiting_since: createdAt,
    snoozed_until: null,
    state: 'open',
    read: false,
    priority: 'not_priority',
    admin_assignee_id: null,
    team_assignee_id: null,
    contact_ids: [contact.id],
    tags: [],
    source: {
      type: 'conversation',
      id: messageId,
      delivered_as: 'customer_initiated',
      subject: optString(body, 'subject') ?? '',
      body: `<p>${text}</p>`,
      author: { type: contact.role, id: contact.id },
    },
    custom_attributes: {},
    parts: [],
  };
  ops.ws.conversations.set(id, conversation);
  contact.last_replied_at = createdAt;
  touch(ops, contact);
  emitConversation(ops, 'conversation.user.created', conversation, []);
  return { conversation, messageId };
}

export function reply(ops: Ops, id: string, raw: unknown): ConversationRecord {
  const c = findConversation(ops, id);
  const body = asBody(raw);
  const type = optString(body, 'type');
  const messageType = optString(body, 'message_type') ?? 'comment';
  const text = optString(body, 'body');
  const attachments = Array.isArray(body['attachment_urls'])
    ? (body['attachment_urls'] as unknown[]).filter((u): u is string => typeof u === 'string')
    : [];
  const attachmentParts = attachments.map((url) => ({
    type: 'upload' as const,
    name: url.split('/').pop() ?? 'attachment',
    url,
    content_type: 'image/png',
    filesize: 1024,
    width: 640,
    height: 480,
  }));
  if (type === 'admin') {
    if (!['comment', 'note', 'quick_reply'].includes(messageType))
      throw badRequest('message_type must be comment, note or quick_reply', 'parameter_invalid');
    const adminId = requireAdmin(ops, body);
    if (!text && attachments.length === 0 && messageType !== 'quick_reply')
      throw badRequest('body is required', 'parameter_not_found', 'body');
    const part = addPart(ops, c, {
      part_type: messageType,
      body: text ? `<p>${text}</p>` : null,
      author: { type: 'admin', id: adminId },
      assigned_to: null,
      attachments: attachmentParts,
    });
    if (messageType !== 'note') c.waiting_since = null;
    for (const contactId of c.contact_ids) {
      const contact = ops.ws.contacts.get(contactId);
      if (contact === undefined) continue;
      contact.last_contacted_at = part.created_at;
      touch(ops, contact);
    }
    emitConversation(
      ops,
      messageType === 'note' ? 'conversation.admin.noted' : 'conversation.admin.replied',
      c,
      [part],
    );
    return c;
  }
  if (type === 'user') {
    if (messageType !== 'comment')
      throw badRequest('message_type must be comment', 'parameter_invalid');
    if (!text && attachments.length === 0)
      throw badRequest('body is required', 'parameter_not_found', 'body');
    const contact = contactFor(ops, body);
    const reopened = c.state !== 'open';
    if (reopened) {
      c.state = 'open';
      c.snoozed_until = null;
    }
    const part = addPart(ops, c, {
      part_type: 'comment',
      body: text ? `<p>${text}</p>` : null,
      author: { type: contact.role, id: contact.id },
      assigned_to: null,
      attachments: attachmentParts,
    });
    if (!c.contact_ids.includes(contact.id)) c.contact_ids.push(contact.id);
    c.waiting_since ??= part.created_at;
    c.read = false;
    contact.last_replied_at = part.created_at;
    touch(ops, contact);
    emitConversation(ops, 'conversation.user.replied', c, [part]);
    return c;
  }
  throw badRequest('type must be admin or user', 'parameter_invalid', 'type');
}

export function manage(ops: Ops, id: string, raw: unknown): ConversationRecord {
  const c = findConversation(ops, id);
  const body = asBody(raw);
  const messageType = optString(body, 'message_type');
  const adminId = requireAdmin(ops, body);
  const text = optString(body, 'body');
  const author = { type: 'admin' as const, id: adminId };
  const partBody = text ? `<p>${text}</p>` : null;
  switch (messageType) {
    case 'close': {
      c.state = 'closed';
      c.snoozed_until = null;
      c.waiting_since = null;
      const part = addPart(ops, c, {
        part_type: 'close',
        body: partBody,
        author,
        assigned_to: null,
        attachments: [],
      });
      emitConversation(ops, 'conversation.admin.closed', c, [part]);
      return c;
    }
    case 'open': {
      const wasSnoozed = c.state === 'snoozed';
      c.state = 'open';
      c.snoozed_until = null;
      const part = addPart(ops, c, {
        part_type: 'open',
        body: partBody,
        author,
        assigned_to: null,
        attachments: [],
      });
      emitConversation(
        ops,
        wasSnoozed ? 'conversation.admin.unsnoozed' : 'conversation.admin.opened',
        c,
        [part],
      );
      return c;
    }
    case 'snoozed': {
      const until = optInteger(body, 'snoozed_until');
      if (until === undefined || until === null)
        throw badRequest('snoozed_until is required', 'parameter_not_found', 'snoozed_until');
      c.state = 'snoozed';
      c.snoozed_until = until;
      const part = addPart(ops, c, {
        part_type: 'snoozed',
        body: partBody,
        author,
        assigned_to: null,
        attachments: [],
      });
      emitConversation(ops, 'conversation.admin.snoozed', c, [part]);
      return c;
    }
    case 'assignment': {
      const type = optString(body, 'type') ?? 'admin';
      const assignee = optId(body, 'assignee_id');
      if (assignee === undefined)
        throw badRequest('assignee_id is required', 'parameter_not_found', 'assignee_id');
      if (type === 'team') {
        if (assignee !== '0' && !ops.ws.teams.has(assignee))
          throw notFound('Team not found', 'team_not_found');
        c.team_assignee_id = assignee === '0' ? null : Number(assignee);
      } else {
        if (assignee !== '0' && !ops.ws.admins.has(assignee))
          throw notFound('Admin not found', 'admin_not_found');
        c.admin_assignee_id = assignee === '0' ? null : Number(assignee);
      }
      const part = addPart(ops, c, {
        part_type: 'assignment',
        body: partBody,
        author,
        assigned_to:
          assignee === '0' ? null : { type: type === 'team' ? 'team' : 'admin', id: assignee },
        attachments: [],
      });
      emitConversation(ops, 'conversation.admin.assigned', c, [part]);
      return c;
    }
    default:
      throw badRequest(
        'message_type must be one of close, open, snoozed, assignment',
        'parameter_invalid',
      );
  }
}

export function updateConversation(ops: Ops, id: string, raw: unknown): ConversationRecord {
  const c = findConversation(ops, id);
  const body = asBody(raw);
  const read = body['read'];
  if (read !== undefined && typeof read !== 'boolean')
    throw badRequest('read must be a boolean', 'parameter_invalid', 'read');
  const title = optString(body, 'title');
  const custom = body['custom_attributes'];
  if (
    custom !== undefined &&
    (typeof custom !== 'object' || custom === null || Array.isArray(custom))
  )
    throw badRequest('custom_attributes must be an object', 'parameter_invalid');
  for (const [name, value] of Object.entries((custom as Body | undefined) ?? {})) {
    if (!(name in c.custom_attributes))
      throw badRequest(`Conversation attribute '${name}' does not exist`, 'parameter_invalid');
    // The conversation schema's custom attributes are strings or integers.
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value)))
      throw badRequest(
        `Conversation attribute '${name}' must be a string or an integer`,
        'parameter_invalid',
      );
  }
  if (typeof read === 'boolean') c.read = read;
  if (title !== undefined) c.title = title;
  if (custom !== undefined) Object.assign(c.custom_attributes, custom);
  c.updated_at = Math.max(ops.now(), c.updated_at);
  return c;
}
