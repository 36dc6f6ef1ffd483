import {
  createConversation,
  findConversation,
  manage,
  reply,
  updateConversation,
} from '../conversations.ts';
import type { ApiRequest } from '../context.ts';
import { badRequest } from '../errors.ts';
import { asBody, decodeCursor, encodeCursor, optObject, perPage } from '../input.ts';
import { pageSorted, type SortKey } from '../pager.ts';
import { route } from '../route.ts';
import { compileQuery, matches, type FieldKind } from '../search.ts';
import type { ConversationRecord } from '../state.ts';
import { conversationView } from '../views.ts';

// Conversation search: Intercom documents no day truncation here, so timestamps compare as
// integers, and its operator table makes > and < inclusive ("greater (or equal) than").
const kinds: Record<string, FieldKind> = {
  id: 'string',
  created_at: 'integer',
  updated_at: 'integer',
  waiting_since: 'integer',
  snoozed_until: 'integer',
  'source.type': 'string',
  'source.id': 'string',
  'source.delivered_as': 'string',
  'source.subject': 'string',
  'source.body': 'string',
  'source.author.id': 'string',
  'source.author.type': 'string',
  contact_ids: 'tag',
  teammate_ids: 'tag',
  tag_ids: 'tag',
  admin_assignee_id: 'integer',
  team_assignee_id: 'integer',
  open: 'boolean',
  read: 'boolean',
  state: 'string',
  priority: 'string',
  title: 'string',
};

function field(c: ConversationRecord, name: string): unknown {
  switch (name) {
    case 'source.type':
      return c.source.type;
    case 'source.id':
      return c.source.id;
    case 'source.delivered_as':
      return c.source.delivered_as;
    case 'source.subject':
      return c.source.subject;
    case 'source.body':
      return c.source.body.replace(/<[^>]*>/g, '');
    case 'source.author.id':
      return c.source.author.id;
    case 'source.author.type':
      return c.source.author.type;
    case 'contact_ids':
      return c.contact_ids;
    case 'teammate_ids':
      return [...new Set(c.parts.filter((p) => p.author.type === 'admin').map((p) => p.author.id))];
    case 'tag_ids':
      return c.tags.map((tag) => tag.id);
    case 'open':
      return c.state !== 'closed';
    default:
      return (c as unknown as Record<string, unknown>)[name];
  }
}

function conversationList(
  req: ApiRequest,
  data: ConversationRecord[],
  total: number,
  size: number,
  start: number,
  next: SortKey | undefined,
) {
  const page = Math.floor(start / size) + 1;
  const pages: Record<string, unknown> = {
    type: 'pages',
    page,
    per_page: size,
    total_pages: Math.max(1, Math.ceil(total / size)),
  };
  if (next !== undefined) pages['next'] = { page: page + 1, starting_after: encodeCursor(next) };
  return {
    type: 'conversation.list',
    conversations: data.map((c) => conversationView(req.ops.ws, c, req.version, 'none')),
    total_count: total,
    pages,
  };
}

function list(req: ApiRequest) {
  const size = perPage(req.query.get('per_page'), 20);
  const after = decodeCursor(req.query.get('starting_after'));
  const all = [...req.ops.ws.conversations.values()];
  const { data, start, next } = pageSorted(all, (c) => [c.updated_at, c.seq], {
    descending: true,
    size,
    after,
  });
  return conversationList(req, data, all.length, size, start, next);
}

function search(req: ApiRequest) {
  const body = asBody(req.body);
  if (body['query'] === undefined) throw badRequest('query is required', 'parameter_not_found');
  const query = compileQuery(body['query'], (name) => kinds[name], { inclusiveComparisons: true });
  const pagination = optObject(body, 'pagination') ?? {};
  const size = perPage(pagination['per_page'], 20);
  const after = decodeCursor(pagination['starting_after']);
  const sort = optObject(body, 'sort') ?? {};
  const sortField = typeof sort['field'] === 'string' ? sort['field'] : 'created_at';
  if (kinds[sortField] === undefined || kinds[sortField] === 'tag')
    throw badRequest(`${sortField} cannot be sorted on`, 'invalid_field');
  const descending = sort['order'] !== 'ascending' && sort['order'] !== 'asc';
  const found = [...req.ops.ws.conversations.values()].filter((c) =>
    matches(query, c, (record, name) => ({
      kind: kinds[name] ?? 'string',
      value: field(record, name) ?? null,
    })),
  );
  const key = (c: ConversationRecord): SortKey => {
    const value = field(c, sortField);
    return [typeof value === 'number' ? value : String(value ?? ''), c.seq];
  };
  const { data, start, next } = pageSorted(found, key, { descending, size, after });
  return conversationList(req, data, found.length, size, start, next);
}

function plaintext<T>(view: T, wanted: boolean): T {
  if (!wanted) return view;
  const strip = (html: unknown) => (typeof html === 'string' ? html.replace(/<[^>]*>/g, '') : html);
  const v = view as Record<string, Record<string, unknown>>;
  if (v['source']) v['source']['body'] = strip(v['source']['body']);
  const parts = v['conversation_parts']?.['conversation_parts'] as
    Record<string, unknown>[] | undefined;
  for (const part of parts ?? []) part['body'] = strip(part['body']);
  return view;
}

export const conversationRoutes = [
  route('GET', '/conversations', list),
  route('POST', '/conversations', (req) => {
    const { conversation, messageId } = createConversation(req.ops, req.body);
    return {
      type: 'user_message',
      id: messageId,
      created_at: conversation.created_at,
      body: conversation.source.body,
      message_type: 'inapp',
      conversation_id: conversation.id,
    };
  }),
  route('POST', '/conversations/search', search),
  route('GET', '/conversations/:conversation_id', (req) =>
    plaintext(
      conversationView(
        req.ops.ws,
        findConversation(req.ops, req.params['conversation_id'] ?? ''),
        req.version,
        'all',
      ),
      req.query.get('display_as') === 'plaintext',
    ),
  ),
  route('PUT', '/conversations/:conversation_id', (req) =>
    conversationView(
      req.ops.ws,
      updateConversation(req.ops, req.params['conversation_id'] ?? '', req.body),
      req.version,
      'all',
    ),
  ),
  route('POST', '/conversations/:conversation_id/reply', (req) =>
    conversationView(
      req.ops.ws,
      reply(req.ops, req.params['conversation_id'] ?? '', req.body),
      req.version,
      'all',
    ),
  ),
  route('POST', '/conversations/:conversation_id/parts', (req) =>
    conversationView(
      req.ops.ws,
      manage(req.ops, req.params['conversation_id'] ?? '', req.body),
      req.version,
      'all',
    ),
  ),
];
