// The shapes people sync reads and writes: a Salesforce record as a core SalesforcePerson, the
// fields to read for it, an Intercom update from planned changes, and the record keys jobs,
// inbox events and failures share.
import type {
  FieldChange,
  PersonObject,
  SalesforceDescribe,
  SalesforcePerson,
  SyncSettings,
} from '../core/index.ts';
import type { ContactInput, SObjectRecord } from '../connectors/index.ts';

/** The key of an Intercom contact's jobs, webhooks and failures (as the webhook intake writes it). */
export const intercomRecordKey = (contactId: string): string => `intercom:contact:${contactId}`;

/** The key of a Salesforce Lead's or Contact's jobs, change events and failures. */
export const salesforceRecordKey = (type: PersonObject, id: string): string =>
  `salesforce:${type}:${id}`;

const intercomKeyPrefix = 'intercom:contact:';

/** The contact id of a record key (`intercom:contact:ID`), or the text itself when it is an id. */
export const contactIdOfKey = (recordKey: string): string =>
  recordKey.startsWith(intercomKeyPrefix) ? recordKey.slice(intercomKeyPrefix.length) : recordKey;

/**
 * The fields to read for a person: what matching, link moves and the mappings need, limited to
 * what describe knows (a retrieve naming an unknown field fails as a whole).
 */
export function personFields(
  type: PersonObject,
  settings: SyncSettings,
  describe: SalesforceDescribe,
): string[] {
  const wanted = new Set([
    'Id',
    'Email',
    'LastModifiedDate',
    'MasterRecordId',
    ...(type === 'Lead' ? ['IsConverted', 'ConvertedContactId'] : []),
    ...settings.mappings[type].map((mapping) => mapping.salesforce),
    ...(settings.matching.identifierField ? [settings.matching.identifierField] : []),
    ...(settings.externalIdField ? [settings.externalIdField] : []),
  ]);
  const known = new Set(describe[type].fields.map((field) => field.name));
  return [...wanted].filter((name) => name === 'Id' || known.has(name));
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;

export function toSalesforcePerson(type: PersonObject, record: SObjectRecord): SalesforcePerson {
  const { attributes: _attributes, ...fields } = record;
  return {
    id: String(record.Id ?? ''),
    type,
    email: text(record['Email']),
    lastModifiedDate: text(record['LastModifiedDate']) ?? '1970-01-01T00:00:00.000+0000',
    fields,
    isConverted: record['IsConverted'] === true,
    convertedContactId: text(record['ConvertedContactId']),
    masterRecordId: text(record['MasterRecordId']),
  };
}

/** Standard contact attributes Intercom's update accepts at the top level. */
const topLevel = new Set([
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
]);

/** One `PUT /contacts/{id}` body from the planned Intercom changes. */
export function toContactInput(changes: readonly FieldChange[]): ContactInput {
  const input: Record<string, unknown> = {};
  const custom: Record<string, string | number | boolean | null> = {};
  for (const change of changes) {
    if (change.field.startsWith('custom_attributes.'))
      custom[change.field.slice('custom_attributes.'.length)] = change.new;
    else if (topLevel.has(change.field))
      input[change.field] =
        change.field === 'owner_id' && change.new !== null ? Number(change.new) : change.new;
    else custom[change.field] = change.new;
  }
  if (Object.keys(custom).length > 0) input['custom_attributes'] = custom;
  return input as ContactInput;
}
