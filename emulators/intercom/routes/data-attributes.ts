import type { ApiRequest, Ops } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { asBody, onlyKnown, optBoolean, optString } from '../input.ts';
import { route } from '../route.ts';
import type { DataAttributeRecord, DataType } from '../state.ts';
import { dataAttributeView } from '../views.ts';

type Builtin = [name: string, label: string, type: DataType, apiWritable: boolean];

// Built-in (non-custom) attributes listed beside the custom ones; they carry no id.
const builtins: Record<'contact' | 'company', Builtin[]> = {
  contact: [
    ['name', 'Name', 'string', true],
    ['email', 'Email', 'string', true],
    ['phone', 'Phone', 'string', true],
    ['external_id', 'User ID', 'string', true],
    ['role', 'Role', 'string', true],
    ['owner_id', 'Owner', 'integer', true],
    ['created_at', 'First seen', 'date', false],
    ['updated_at', 'Last updated', 'date', false],
    ['signed_up_at', 'Signed up', 'date', true],
    ['last_seen_at', 'Last seen', 'date', true],
    ['unsubscribed_from_emails', 'Unsubscribed from emails', 'boolean', true],
  ],
  company: [
    ['name', 'Company name', 'string', true],
    ['company_id', 'Company ID', 'string', false],
    ['last_request_at', 'Company last seen', 'date', false],
    ['remote_created_at', 'Company created at', 'date', true],
    ['user_count', 'People', 'integer', false],
    ['session_count', 'Company web sessions', 'integer', false],
    ['monthly_spend', 'Monthly Spend', 'float', true],
    ['size', 'Company size', 'integer', true],
    ['industry', 'Company industry', 'string', true],
    ['website', 'Company website', 'string', true],
  ],
};

function builtinView(model: 'contact' | 'company', [name, label, type, writable]: Builtin) {
  return {
    type: 'data_attribute',
    name,
    full_name: name,
    label,
    description: label,
    data_type: type,
    api_writable: writable,
    ui_writable: false,
    messenger_writable: false,
    custom: false,
    archived: false,
    model,
  };
}

function list(req: ApiRequest) {
  const model = req.query.get('model');
  if (model !== null && model !== 'contact' && model !== 'company' && model !== 'conversation')
    throw badRequest('The Data Attribute model field must be either contact or company');
  const includeArchived = req.query.get('include_archived') === 'true';
  const models = (model === null ? ['contact', 'company'] : [model]).filter(
    (m): m is 'contact' | 'company' => m !== 'conversation',
  );
  const data: unknown[] = [];
  for (const m of models) {
    data.push(...builtins[m].map((builtin) => builtinView(m, builtin)));
    for (const attribute of req.ops.ws.dataAttributes.values()) {
      if (attribute.model === m && (includeArchived || !attribute.archived))
        data.push(dataAttributeView(attribute));
    }
  }
  return { type: 'list', data };
}

const typeAliases: Record<string, DataType> = {
  string: 'string',
  integer: 'integer',
  float: 'float',
  boolean: 'boolean',
  date: 'date',
  datetime: 'date',
  options: 'string',
};

function readOptions(raw: unknown): string[] {
  if (!Array.isArray(raw)) throw badRequest('options must be an array of {value}');
  return raw.map((option) => {
    const value = (option as Record<string, unknown> | null)?.['value'];
    if (typeof value !== 'string') throw badRequest('options must be an array of {value}');
    return value;
  });
}

export function createDataAttribute(ops: Ops, raw: unknown): DataAttributeRecord {
  const body = asBody(raw);
  onlyKnown(body, ['name', 'model', 'data_type', 'options', 'description', 'messenger_writable']);
  const name = optString(body, 'name');
  const model = optString(body, 'model');
  const dataType = optString(body, 'data_type');
  if (!name) throw badRequest('name is required', 'parameter_not_found', 'name');
  if (model !== 'contact' && model !== 'company')
    throw badRequest('The Data Attribute model field must be either contact or company');
  const type = dataType === undefined || dataType === null ? undefined : typeAliases[dataType];
  if (type === undefined) throw badRequest("Data Type isn't an option");
  if (!/^[\p{L}\p{N}\p{Sc}\- _]+$/u.test(name))
    throw badRequest(
      'Your name for this attribute must only contain alphanumeric characters, currency symbols, and hyphens',
    );
  const label = (m: string) => (m === 'contact' ? 'people' : 'company');
  for (const attribute of ops.ws.dataAttributes.values()) {
    if (attribute.name === name)
      throw badRequest(
        `You already have '${name}' in your ${label(attribute.model)} data. To save this as new ${label(model)} data, use a different name.`,
      );
  }
  if (builtins[model].some(([builtin]) => builtin === name))
    throw badRequest(
      `You already have '${name}' in your ${label(model)} data. To save this as new ${label(model)} data, use a different name.`,
    );
  const options = dataType === 'options' ? readOptions(body['options']) : [];
  if (dataType === 'options' && options.length < 2)
    throw badRequest('An options attribute needs at least two options');
  const now = ops.now();
  const attribute: DataAttributeRecord = {
    id: ops.ws.nextAttributeId(),
    model,
    name,
    label: name,
    description: optString(body, 'description') ?? '',
    data_type: type,
    options,
    messenger_writable: optBoolean(body, 'messenger_writable') ?? false,
    archived: false,
    created_at: now,
    updated_at: now,
    admin_id: ops.tokenAdminId(),
  };
  ops.ws.dataAttributes.set(attribute.id, attribute);
  return attribute;
}

function update(req: ApiRequest) {
  const id = Number(req.params['data_attribute_id']);
  const attribute = req.ops.ws.dataAttributes.get(id);
  if (attribute === undefined)
    throw notFound('We couldn\u2019t find that data attribute to update', 'field_not_found');
  const body = asBody(req.body);
  onlyKnown(body, ['archived', 'description', 'messenger_writable', 'options']);
  const archived = optBoolean(body, 'archived');
  const description = optString(body, 'description');
  const messengerWritable = optBoolean(body, 'messenger_writable');
  if (body['options'] !== undefined) attribute.options = readOptions(body['options']);
  if (archived !== undefined && archived !== null) attribute.archived = archived;
  if (description !== undefined && description !== null) attribute.description = description;
  if (messengerWritable !== undefined && messengerWritable !== null)
    attribute.messenger_writable = messengerWritable;
  attribute.updated_at = req.ops.now();
  return dataAttributeView(attribute);
}

export const dataAttributeRoutes = [
  route('GET', '/data_attributes', list),
  route('POST', '/data_attributes', (req) =>
    dataAttributeView(createDataAttribute(req.ops, req.body)),
  ),
  route('PUT', '/data_attributes/:data_attribute_id', update),
];
