// The emulated objects: describes recorded from real orgs (fixtures/, licences beside them),
// the three trimmed ones (Task, User, RecordType) completed with the documented properties.
import { readFileSync } from 'node:fs';
import { completeFieldJson, type FieldJson } from './field.ts';
import { SObjectType } from './sobject.ts';

const fixtureDir = new URL('../fixtures/', import.meta.url);

const fullDescribes: Record<string, string> = {
  Lead: 'cumulusci/GET_sobjects_Lead_describe.body.json',
  Contact: 'cumulusci/GET_sobjects_Contact_describe.body.json',
  Account: 'cumulusci/GET_sobjects_Account_describe.body.json',
  Case: 'cumulusci/GET_sobjects_Case_describe.body.json',
  Opportunity: 'cumulusci/GET_sobjects_Opportunity_describe.body.json',
};

interface TrimmedCompletion {
  keyPrefix: string;
  labelPlural: string;
  /** Fields neither createable nor updateable (system, derived). */
  readOnly: readonly string[];
  /** Fields createable on insert only. */
  createOnly?: readonly string[];
  /** Required on create: non-nillable, not defaulted. */
  required?: readonly string[];
  lengths?: Readonly<Record<string, number>>;
  defaults?: Readonly<Record<string, string>>;
  idLookup?: readonly string[];
  unique?: readonly string[];
  /** Non-nillable fields Salesforce fills in when the request leaves them out. */
  defaulted?: readonly string[];
  recordTypes: boolean;
}

const systemFields = [
  'Id',
  'IsDeleted',
  'CreatedDate',
  'CreatedById',
  'LastModifiedDate',
  'LastModifiedById',
  'SystemModstamp',
  'LastViewedDate',
  'LastReferencedDate',
];

const trimmed: Record<string, TrimmedCompletion> = {
  Task: {
    keyPrefix: '00T',
    labelPlural: 'Tasks',
    readOnly: [
      ...systemFields,
      'AccountId',
      'IsClosed',
      'IsArchived',
      'IsHighPriority',
      'CompletedDateTime',
      'IsRecurrence',
    ],
    createOnly: ['TaskSubtype', 'IsRecurrence'],
    required: [],
    lengths: {
      Subject: 255,
      Description: 32000,
      CallDisposition: 255,
      CallObject: 255,
      Status: 40,
      Priority: 40,
      CallType: 40,
      TaskSubtype: 40,
    },
    defaults: { Status: 'Not Started', Priority: 'Normal' },
    idLookup: ['Id'],
    recordTypes: true,
  },
  User: {
    keyPrefix: '005',
    labelPlural: 'Users',
    readOnly: [
      ...systemFields,
      'Name',
      'Address',
      'LastLoginDate',
      'LastPasswordChangeDate',
      'NumberOfFailedLogins',
      'FullPhotoUrl',
      'SmallPhotoUrl',
      'MediumPhotoUrl',
      'BannerPhotoUrl',
      'SmallBannerPhotoUrl',
      'MediumBannerPhotoUrl',
      'IsProfilePhotoActive',
      'IsPortalEnabled',
      'OfflineTrialExpirationDate',
      'OfflinePdaTrialExpirationDate',
      'UserType',
      'IsExtIndicatorVisible',
    ],
    required: [
      'Username',
      'LastName',
      'Email',
      'Alias',
      'TimeZoneSidKey',
      'LocaleSidKey',
      'EmailEncodingKey',
      'ProfileId',
      'LanguageLocaleKey',
    ],
    lengths: {
      Username: 80,
      LastName: 80,
      FirstName: 40,
      Name: 121,
      Alias: 8,
      Email: 128,
      CommunityNickname: 40,
      Title: 80,
      CompanyName: 80,
      Department: 80,
      Division: 80,
      FederationIdentifier: 512,
      EmployeeNumber: 20,
      AboutMe: 1000,
      Street: 255,
      City: 40,
      State: 80,
      PostalCode: 20,
      Country: 80,
    },
    idLookup: ['Id', 'Username', 'CommunityNickname', 'FederationIdentifier'],
    unique: ['Username'],
    defaults: { DigestFrequency: 'D', DefaultGroupNotificationFrequency: 'N' },
    defaulted: ['CommunityNickname'],
    recordTypes: false,
  },
  RecordType: {
    keyPrefix: '012',
    labelPlural: 'Record Types',
    readOnly: [...systemFields],
    required: ['Name', 'DeveloperName', 'SobjectType'],
    lengths: { Name: 80, DeveloperName: 80, NamespacePrefix: 15, Description: 255 },
    idLookup: ['Id'],
    recordTypes: false,
  },
};

function loadJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(path, fixtureDir), 'utf8')) as Record<string, unknown>;
}

function completeTrimmed(
  name: string,
  spec: TrimmedCompletion,
  template: Record<string, unknown>,
): Record<string, unknown> {
  const raw = loadJson(`lwrfileupload/${name}.soqlMetadata.json`);
  const readOnly = new Set(spec.readOnly);
  const createOnly = new Set(spec.createOnly ?? []);
  const required = new Set(spec.required ?? []);
  const fields = (raw['fields'] as FieldJson[]).map((given) => {
    const fieldName = given.name;
    const defaultValue = spec.defaults?.[fieldName];
    const patch: FieldJson = {
      ...given,
      createable: !readOnly.has(fieldName) || createOnly.has(fieldName),
      updateable: !readOnly.has(fieldName) && !createOnly.has(fieldName),
      custom: false,
    };
    const length = spec.lengths?.[fieldName];
    if (length !== undefined) patch['length'] = length;
    const full = completeFieldJson(patch);
    if (required.has(fieldName)) full['nillable'] = false;
    if (given.type === 'boolean' || given.type === 'id') full['nillable'] = false;
    if (
      systemFields.includes(fieldName) &&
      fieldName !== 'LastViewedDate' &&
      fieldName !== 'LastReferencedDate'
    ) {
      full['nillable'] = false;
      full['defaultedOnCreate'] = true;
    }
    if (fieldName === 'OwnerId') {
      full['nillable'] = false;
      full['defaultedOnCreate'] = true;
    }
    if (defaultValue !== undefined) {
      full['nillable'] = false;
      full['defaultedOnCreate'] = true;
      full['defaultValue'] = defaultValue;
      full['picklistValues'] = (full['picklistValues'] as { value: string }[]).map((v) => ({
        ...v,
        defaultValue: v.value === defaultValue,
      }));
    }
    if (spec.defaulted?.includes(fieldName)) full['defaultedOnCreate'] = true;
    if (spec.idLookup?.includes(fieldName)) full['idLookup'] = true;
    if (spec.unique?.includes(fieldName)) full['unique'] = true;
    return full;
  });
  const base = { ...template };
  for (const key of Object.keys(base)) if (key.startsWith('associate')) base[key] = null;
  const v = `/services/data/v59.0/sobjects/${name}`;
  return {
    ...base,
    childRelationships: raw['childRelationships'] ?? [],
    custom: false,
    fields,
    keyPrefix: spec.keyPrefix,
    label: raw['label'],
    labelPlural: spec.labelPlural,
    name,
    queryable: true,
    convertable: undefined,
    recordTypeInfos: spec.recordTypes
      ? [
          {
            active: true,
            available: true,
            defaultRecordTypeMapping: true,
            developerName: 'Master',
            master: true,
            name: 'Master',
            recordTypeId: '012000000000000AAA',
            urls: { layout: `${v}/describe/layouts/012000000000000AAA` },
          },
        ]
      : [],
    urls: {
      rowTemplate: `${v}/{ID}`,
      describe: `${v}/describe`,
      sobject: v,
      layouts: `${v}/describe/layouts`,
      compactLayouts: `${v}/describe/compactLayouts`,
    },
  };
}

/** Parsed fixtures are shared (read-only) between emulator instances in one process. */
let cached: Map<string, Record<string, unknown>> | undefined;

function describes(): Map<string, Record<string, unknown>> {
  if (cached) return cached;
  const map = new Map<string, Record<string, unknown>>();
  for (const [name, path] of Object.entries(fullDescribes)) map.set(name, loadJson(path));
  const lead = map.get('Lead') ?? {};
  const { fields: _fields, ...template } = lead;
  for (const [name, spec] of Object.entries(trimmed)) {
    const body = completeTrimmed(name, spec, template);
    delete body['convertable'];
    map.set(name, body);
  }
  cached = map;
  return map;
}

/** The recorded describe body of an object, as the fixture holds it (for tests). */
export function recordedDescribe(name: string): Record<string, unknown> | undefined {
  const path = fullDescribes[name];
  return path ? loadJson(path) : undefined;
}

export const emulatedObjects = [
  'Account',
  'Contact',
  'Lead',
  'Opportunity',
  'Case',
  'Task',
  'User',
  'RecordType',
] as const;

export class SchemaRegistry {
  readonly #types = new Map<string, SObjectType>();
  readonly #byPrefix = new Map<string, SObjectType>();

  constructor() {
    for (const [name, describe] of describes()) {
      const type = new SObjectType(structuredClone(describe));
      this.#types.set(name.toLowerCase(), type);
      this.#byPrefix.set(type.keyPrefix, type);
    }
  }

  get(name: string): SObjectType | undefined {
    return this.#types.get(name.toLowerCase());
  }

  byKeyPrefix(prefix: string): SObjectType | undefined {
    return this.#byPrefix.get(prefix);
  }

  all(): SObjectType[] {
    return [...this.#types.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
