/** The Salesforce side of people sync: the subset of describe Tandem reads, and a person record. */

export const personObjects = ['Lead', 'Contact'] as const;
export type PersonObject = (typeof personObjects)[number];

/** Field types Salesforce describe reports (API-NOTES §5). Unknown types are kept as strings. */
export const salesforceFieldTypes = [
  'id',
  'string',
  'textarea',
  'phone',
  'url',
  'email',
  'reference',
  'picklist',
  'multipicklist',
  'combobox',
  'boolean',
  'int',
  'double',
  'currency',
  'percent',
  'date',
  'datetime',
  'time',
  'address',
  'location',
  'encryptedstring',
  'base64',
  'anyType',
] as const;
export type SalesforceFieldType = (typeof salesforceFieldTypes)[number];

export interface PicklistValue {
  readonly value: string;
  readonly label: string;
  readonly active: boolean;
}

/** One field of `GET /sobjects/{Lead|Contact}/describe`, reduced to what mapping needs. */
export interface SalesforceField {
  readonly name: string;
  readonly label: string;
  readonly type: SalesforceFieldType | (string & {});
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly calculated: boolean;
  readonly nillable: boolean;
  readonly defaultedOnCreate: boolean;
  /** Set on the components of a compound field (`FirstName` → `Name`, `City` → `Address`). */
  readonly compoundFieldName: string | null;
  readonly referenceTo: readonly string[];
  readonly picklistValues: readonly PicklistValue[];
  readonly restrictedPicklist: boolean;
  readonly externalId: boolean;
}

export interface SalesforceObjectDescribe {
  readonly name: PersonObject;
  readonly fields: readonly SalesforceField[];
}

export type SalesforceDescribe = Readonly<Record<PersonObject, SalesforceObjectDescribe>>;

/** A Salesforce Lead or Contact as people sync sees it. */
export interface SalesforcePerson {
  readonly id: string;
  readonly type: PersonObject;
  readonly email: string | null;
  /** ISO date-time, as Salesforce returns it (`2026-01-31T12:00:00.000+0000`). */
  readonly lastModifiedDate: string;
  /** Field values by API name, as returned by the REST API. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly isConverted: boolean;
  readonly convertedContactId: string | null;
  /** Set on a record deleted by a merge: the record that survived. */
  readonly masterRecordId: string | null;
}

export const findField = (
  describe: SalesforceObjectDescribe,
  name: string,
): SalesforceField | undefined => describe.fields.find((field) => field.name === name);

/** API-NOTES §5: "required on create" = createable, not nillable, not defaulted on create. */
export const isRequiredOnCreate = (field: SalesforceField): boolean =>
  field.createable && !field.nillable && !field.defaultedOnCreate;

/**
 * A compound field is the whole (`Name`, `Address`, a geolocation), not its components:
 * `FirstName` and `City` are ordinary fields that can be written one by one.
 */
export const isCompoundField = (
  describe: SalesforceObjectDescribe,
  field: SalesforceField,
): boolean =>
  field.type === 'address' ||
  field.type === 'location' ||
  describe.fields.some((other) => other.compoundFieldName === field.name);

/** Read-only for Tandem: a formula, or a field that can be neither created nor updated. */
export const isReadOnlyField = (field: SalesforceField): boolean =>
  field.calculated || (!field.createable && !field.updateable);

/** Milliseconds since the epoch of a Salesforce date-time; `NaN` when unparseable. */
export const salesforceTime = (value: string): number =>
  Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
