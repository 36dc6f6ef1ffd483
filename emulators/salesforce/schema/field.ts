// Field metadata: the typed view the emulator works with, and the builder that turns a short
// custom-field spec (or a trimmed fixture field) into the full 57-key describe object.

export type FieldJson = Record<string, unknown> & { name: string; type: string };

export interface Field {
  readonly name: string;
  readonly type: string;
  readonly label: string;
  readonly length: number;
  readonly precision: number;
  readonly scale: number;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly defaultedOnCreate: boolean;
  readonly defaultValue: unknown;
  readonly picklistValues: readonly string[];
  readonly defaultPicklistValue: string | null;
  readonly restrictedPicklist: boolean;
  readonly referenceTo: readonly string[];
  readonly relationshipName: string | null;
  readonly unique: boolean;
  readonly externalId: boolean;
  readonly idLookup: boolean;
  readonly calculated: boolean;
  readonly caseSensitive: boolean;
  readonly custom: boolean;
  readonly compoundFieldName: string | null;
  readonly json: FieldJson;
}

const soapTypes: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  time: 'xsd:time',
  address: 'urn:address',
  location: 'urn:location',
  base64: 'xsd:base64Binary',
  anyType: 'xsd:anyType',
};

const defaultLengths: Record<string, number> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 255,
  picklist: 255,
  multipicklist: 4099,
  combobox: 255,
  email: 80,
  phone: 40,
  url: 255,
  encryptedstring: 175,
};

const numericTypes = new Set(['int', 'double', 'currency', 'percent']);

/** The full describe object for a field, from the keys given (any missing key gets its usual value). */
export function completeFieldJson(
  given: Record<string, unknown> & { name: string; type: string },
): FieldJson {
  const type = given.type;
  const length = (given['length'] as number | undefined) ?? defaultLengths[type] ?? 0;
  const textual = length > 0;
  const custom = given['custom'] ?? given.name.endsWith('__c');
  const base: FieldJson = {
    aggregatable: type !== 'textarea' && type !== 'address' && type !== 'location',
    aiPredictionField: false,
    autoNumber: false,
    byteLength: textual ? length * 3 : 0,
    calculated: false,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: null,
    controllerName: null,
    createable: true,
    custom,
    defaultValue: type === 'boolean' ? false : null,
    defaultValueFormula: null,
    defaultedOnCreate: type === 'boolean',
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: type === 'int' ? 9 : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: false,
    extraTypeInfo: null,
    filterable: type !== 'textarea' || length <= 255,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: !numericTypes.has(type) && type !== 'textarea' && type !== 'address',
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: type === 'id',
    inlineHelpText: null,
    label: given.name.replace(/__c$/, '').replace(/_/g, ' '),
    length,
    mask: null,
    maskType: null,
    name: given.name,
    nameField: false,
    namePointing: false,
    nillable: type !== 'boolean' && type !== 'id',
    permissionable: custom === true,
    picklistValues: [],
    polymorphicForeignKey: false,
    precision: type === 'currency' || type === 'double' || type === 'percent' ? 18 : 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: [],
    relationshipName: null,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: false,
    scale: type === 'currency' || type === 'percent' ? 2 : 0,
    searchPrefilterable: false,
    soapType: soapTypes[type] ?? 'xsd:string',
    sortable: type !== 'textarea' && type !== 'address',
    type,
    unique: false,
    updateable: true,
    writeRequiresMasterRead: false,
  };
  const merged: FieldJson = { ...base, ...given };
  if (merged['calculated'] === true) {
    merged['createable'] = false;
    merged['updateable'] = false;
  }
  return merged;
}

export interface PicklistValueJson {
  active: boolean;
  defaultValue: boolean;
  label: string;
  validFor: null;
  value: string;
}

export function picklistJson(
  values: readonly string[],
  defaultValue?: string,
): PicklistValueJson[] {
  return values.map((value) => ({
    active: true,
    defaultValue: value === defaultValue,
    label: value,
    validFor: null,
    value,
  }));
}

export function toField(json: FieldJson): Field {
  const values = Array.isArray(json['picklistValues'])
    ? (json['picklistValues'] as PicklistValueJson[])
    : [];
  const active = values.filter((v) => v.active !== false);
  const defaultEntry = active.find((v) => v.defaultValue);
  return {
    name: json.name,
    type: json.type,
    label: typeof json['label'] === 'string' ? json['label'] : json.name,
    length: Number(json['length'] ?? 0),
    precision: Number(json['precision'] ?? 0),
    scale: Number(json['scale'] ?? 0),
    nillable: json['nillable'] !== false,
    createable: json['createable'] === true,
    updateable: json['updateable'] === true,
    defaultedOnCreate: json['defaultedOnCreate'] === true,
    defaultValue: json['defaultValue'] ?? null,
    picklistValues: active.map((v) => v.value),
    defaultPicklistValue: defaultEntry?.value ?? null,
    restrictedPicklist: json['restrictedPicklist'] === true,
    referenceTo: Array.isArray(json['referenceTo']) ? (json['referenceTo'] as string[]) : [],
    relationshipName:
      typeof json['relationshipName'] === 'string' ? json['relationshipName'] : null,
    unique: json['unique'] === true,
    externalId: json['externalId'] === true,
    idLookup: json['idLookup'] === true,
    calculated: json['calculated'] === true,
    caseSensitive: json['caseSensitive'] === true,
    custom: json['custom'] === true,
    compoundFieldName:
      typeof json['compoundFieldName'] === 'string' ? json['compoundFieldName'] : null,
    json,
  };
}

export const textTypes = new Set([
  'string',
  'textarea',
  'picklist',
  'multipicklist',
  'combobox',
  'email',
  'phone',
  'url',
  'encryptedstring',
]);
export { numericTypes };
