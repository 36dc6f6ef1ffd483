// Named mappers from the connectors' API shapes (raw describe, raw data attributes) to the core's
// domain types (STYLE convention 2). The connectors answer what the APIs send; the core reads
// only what mapping and validation need.
import type {
  IntercomContact,
  IntercomDataAttribute,
  IntercomDataType,
  PersonObject,
  PicklistValue,
  SalesforceField,
  SalesforceObjectDescribe,
} from '../core/index.ts';
import type {
  IntercomContact as RawContact,
  IntercomDataAttribute as RawDataAttribute,
} from '../connectors/index.ts';

/** One field of a raw `describe` answer: jsforce's DescribeSObjectResult['fields'][number]. */
export interface RawDescribeField {
  readonly name: string;
  readonly label?: string | null;
  readonly type: string;
  readonly createable?: boolean;
  readonly updateable?: boolean;
  readonly calculated?: boolean;
  readonly nillable?: boolean;
  readonly defaultedOnCreate?: boolean;
  readonly compoundFieldName?: string | null;
  readonly referenceTo?: readonly (string | null)[] | null;
  readonly picklistValues?:
    | readonly {
        readonly value: string;
        readonly label?: string | null;
        readonly active?: boolean;
      }[]
    | null;
  readonly restrictedPicklist?: boolean;
  readonly externalId?: boolean;
}

export interface RawDescribe {
  readonly fields: readonly RawDescribeField[];
}

export function toSalesforceField(raw: RawDescribeField): SalesforceField {
  return {
    name: raw.name,
    label: raw.label ?? raw.name,
    type: raw.type,
    createable: raw.createable ?? false,
    updateable: raw.updateable ?? false,
    calculated: raw.calculated ?? false,
    nillable: raw.nillable ?? true,
    defaultedOnCreate: raw.defaultedOnCreate ?? false,
    compoundFieldName: raw.compoundFieldName ?? null,
    referenceTo: (raw.referenceTo ?? []).filter((name): name is string => typeof name === 'string'),
    picklistValues: (raw.picklistValues ?? []).map((value): PicklistValue => ({
      value: value.value,
      label: value.label ?? value.value,
      active: value.active ?? true,
    })),
    restrictedPicklist: raw.restrictedPicklist ?? false,
    externalId: raw.externalId ?? false,
  };
}

export function toSalesforceObjectDescribe(
  object: PersonObject,
  raw: RawDescribe,
): SalesforceObjectDescribe {
  return { name: object, fields: raw.fields.map(toSalesforceField) };
}

/**
 * Intercom's `datetime` is accepted on create and stored as `date`; a list attribute (`options`)
 * holds text, its allowed values in `options`.
 */
const dataTypeOf = (raw: RawDataAttribute['data_type']): IntercomDataType => {
  switch (raw) {
    case 'datetime':
      return 'date';
    case 'options':
      return 'string';
    default:
      return raw;
  }
};

export function toIntercomDataAttribute(raw: RawDataAttribute): IntercomDataAttribute {
  return {
    name: raw.name,
    fullName: raw.full_name || raw.name,
    label: raw.label || raw.name,
    dataType: dataTypeOf(raw.data_type),
    apiWritable: raw.api_writable,
    custom: raw.custom,
    model: raw.model,
    archived: raw.archived ?? false,
    options: (raw.options ?? []).map((option) =>
      typeof option === 'string' ? option : String((option as { value?: unknown }).value ?? ''),
    ),
  };
}

const contactFieldsMappedApart = new Set([
  'id',
  'role',
  'external_id',
  'email',
  'name',
  'phone',
  'owner_id',
  'updated_at',
  'custom_attributes',
  'tags',
  'companies',
]);

/**
 * An Intercom contact as the core reads it. The API lists a contact's tags and companies by id
 * only: tag names come from `tagNames` (the workspace's tags by id; without it, or for a tag it
 * does not know, the tag is left out), company names stay `null` for a caller that fetches them.
 */
export function toIntercomContact(
  raw: RawContact,
  tagNames?: ReadonlyMap<string, string>,
): IntercomContact {
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    if (!contactFieldsMappedApart.has(key)) attributes[key] = value;
  return {
    id: raw.id,
    role: raw.role,
    externalId: raw.external_id ?? null,
    email: raw.email ?? null,
    name: raw.name ?? null,
    phone: raw.phone ?? null,
    ownerId: raw.owner_id === null || raw.owner_id === undefined ? null : String(raw.owner_id),
    updatedAt: raw.updated_at,
    customAttributes: raw.custom_attributes ?? {},
    attributes,
    tags: (raw.tags?.data ?? []).flatMap((tag) => {
      const name = tagNames?.get(tag.id);
      return name === undefined ? [] : [name];
    }),
    companies: (raw.companies?.data ?? []).map((company) => ({ id: company.id, name: null })),
  };
}
