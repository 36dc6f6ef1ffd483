/** The Intercom side of people sync: data attributes and a contact (user or lead). */

/** `data_type` of an Intercom data attribute (`datetime` is accepted on create and stored as `date`). */
export const intercomDataTypes = ['string', 'integer', 'float', 'boolean', 'date'] as const;
export type IntercomDataType = (typeof intercomDataTypes)[number];

/** The names seed 004's tables use for Intercom types. */
export const intercomTypeLabels: Readonly<Record<IntercomDataType, string>> = {
  string: 'Text',
  integer: 'Number',
  float: 'Decimal',
  boolean: 'True or false',
  date: 'Date',
};

export const contactRoles = ['user', 'lead'] as const;
export type ContactRole = (typeof contactRoles)[number];

/** One entry of `GET /data_attributes?model=contact`. */
export interface IntercomDataAttribute {
  /** `plan` for a custom attribute, `email` for a standard one. */
  readonly name: string;
  /** `custom_attributes.plan` for a custom attribute; the name itself for a standard one. */
  readonly fullName: string;
  readonly label: string;
  readonly dataType: IntercomDataType;
  readonly apiWritable: boolean;
  readonly custom: boolean;
  readonly model: 'contact' | 'company';
  readonly archived: boolean;
  /** The allowed values of a list attribute. */
  readonly options: readonly string[];
}

export interface IntercomCompanyRef {
  readonly id: string;
  readonly name: string | null;
}

/** An Intercom contact as people sync sees it. Times are UNIX seconds, as the API sends them. */
export interface IntercomContact {
  readonly id: string;
  readonly role: ContactRole;
  readonly externalId: string | null;
  readonly email: string | null;
  readonly name: string | null;
  readonly phone: string | null;
  readonly ownerId: string | null;
  readonly updatedAt: number;
  readonly customAttributes: Readonly<Record<string, unknown>>;
  /** Other standard attributes by name (`utm_source`, `signed_up_at`, …). */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Tag names. */
  readonly tags: readonly string[];
  readonly companies: readonly IntercomCompanyRef[];
}

const customPrefix = 'custom_attributes.';

/**
 * A pseudo-attribute: the name of the contact's first company. It is what fills a Lead's
 * required `Company` field; Intercom has no such attribute on the contact itself.
 */
export const companyNameAttribute = 'company.name';

/** `company.name` as an attribute: text, read from the first company, never written. */
export const companyNameDataAttribute: IntercomDataAttribute = {
  name: companyNameAttribute,
  fullName: companyNameAttribute,
  label: 'Company name',
  dataType: 'string',
  apiWritable: false,
  custom: false,
  model: 'contact',
  archived: false,
  options: [],
};

/** The attributes a mapping may name: Intercom's own plus `company.name`. */
export const mappableAttributes = (
  attributes: readonly IntercomDataAttribute[],
): readonly IntercomDataAttribute[] =>
  attributes.some((attribute) => attribute.fullName === companyNameAttribute)
    ? attributes
    : [...attributes, companyNameDataAttribute];

/** Reads a mapped attribute (`email`, `custom_attributes.plan`, `company.name`) from a contact. */
export function readIntercomValue(contact: IntercomContact, attribute: string): unknown {
  if (attribute.startsWith(customPrefix)) {
    return contact.customAttributes[attribute.slice(customPrefix.length)];
  }
  switch (attribute) {
    case 'id':
      return contact.id;
    case 'role':
      return contact.role;
    case 'external_id':
      return contact.externalId;
    case 'email':
      return contact.email;
    case 'name':
      return contact.name;
    case 'phone':
      return contact.phone;
    case 'owner_id':
      return contact.ownerId;
    case 'updated_at':
      return contact.updatedAt;
    case companyNameAttribute:
      return contact.companies[0]?.name ?? null;
    default:
      return contact.attributes[attribute];
  }
}

/** Finds an attribute by its full name, or a custom one by its short name. */
export const findAttribute = (
  attributes: readonly IntercomDataAttribute[],
  name: string,
): IntercomDataAttribute | undefined =>
  attributes.find((attribute) => attribute.fullName === name) ??
  attributes.find((attribute) => attribute.custom && attribute.name === name);

/** Seed 004: attributes that change too often to map ("last_seen and the like"). */
export const highFrequencyAttributes: readonly string[] = [
  'last_seen_at',
  'last_replied_at',
  'last_contacted_at',
  'last_email_opened_at',
  'last_email_clicked_at',
  'updated_at',
  'browser',
  'browser_version',
  'browser_language',
  'os',
  'session_count',
];

export const isHighFrequencyAttribute = (name: string): boolean =>
  highFrequencyAttributes.includes(name);

/** Seed 004: UTM parameters can be sent to Salesforce Leads only. */
export const utmAttributes: readonly string[] = [
  'utm_campaign',
  'utm_content',
  'utm_medium',
  'utm_source',
  'utm_term',
];

export const isUtmAttribute = (name: string): boolean =>
  utmAttributes.includes(name.startsWith(customPrefix) ? name.slice(customPrefix.length) : name);
