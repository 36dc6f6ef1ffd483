// One sObject type: its describe (as recorded, plus seeded custom fields and record types) and
// the indexes over its fields that the write path and the SOQL engine need.
import { completeFieldJson, toField, type Field, type FieldJson } from './field.ts';

export interface RecordTypeInfo {
  readonly id: string;
  readonly developerName: string;
  readonly name: string;
  readonly master: boolean;
  defaultMapping: boolean;
  /** Picklist values this record type allows, per field; a missing field allows all. */
  readonly picklists: Readonly<Record<string, readonly string[]>>;
  /** Default picklist value per field for records of this type. */
  readonly defaults: Readonly<Record<string, string>>;
}

export interface FieldGroups {
  readonly defaulted: readonly Field[];
  readonly booleans: readonly Field[];
  readonly required: readonly Field[];
  readonly unique: readonly Field[];
}

export const masterRecordTypeId = '012000000000000AAA';

export class SObjectType {
  readonly name: string;
  readonly keyPrefix: string;
  readonly label: string;
  readonly fields: Field[] = [];
  readonly byLower = new Map<string, Field>();
  readonly #byName = new Map<string, Field>();
  readonly relationships = new Map<string, Field>();
  readonly recordTypes: RecordTypeInfo[] = [];
  /** Fields added after the recorded describe (seeded custom fields), for the state file. */
  readonly addedFields: FieldJson[] = [];
  readonly #base: Record<string, unknown>;
  #describeCache = new Map<string, string>();
  #groups: FieldGroups | null = null;
  #recordTypesChanged = false;

  constructor(describe: Record<string, unknown>) {
    const { fields, ...base } = describe;
    this.#base = base;
    this.name = String(base['name']);
    this.keyPrefix = String(base['keyPrefix']);
    this.label = String(base['label']);
    for (const json of fields as FieldJson[]) this.#index(json);
    const infos = Array.isArray(base['recordTypeInfos'])
      ? (base['recordTypeInfos'] as Record<string, unknown>[])
      : [];
    for (const info of infos) {
      this.recordTypes.push({
        id: String(info['recordTypeId']),
        developerName: String(info['developerName']),
        name: String(info['name']),
        master: info['master'] === true,
        defaultMapping: info['defaultRecordTypeMapping'] === true,
        picklists: {},
        defaults: {},
      });
    }
  }

  /** Fields the save path visits on every insert, computed once per schema change. */
  groups(): FieldGroups {
    if (this.#groups) return this.#groups;
    const groups: FieldGroups = {
      defaulted: this.fields.filter(
        (f) =>
          f.createable &&
          ((f.defaultedOnCreate && f.defaultPicklistValue !== null) || f.type === 'boolean'),
      ),
      booleans: this.fields.filter((f) => f.type === 'boolean' && !f.nillable),
      required: this.fields.filter(
        (f) =>
          f.createable &&
          !f.nillable &&
          f.type !== 'boolean' &&
          !(f.defaultedOnCreate && f.defaultPicklistValue === null),
      ),
      unique: this.fields.filter((f) => f.unique),
    };
    this.#groups = groups;
    return groups;
  }

  field(name: string): Field | undefined {
    return this.#byName.get(name) ?? this.byLower.get(name.toLowerCase());
  }

  /** Whether the object's describe carries a record type other than Master. */
  hasRecordTypes(): boolean {
    return this.recordTypes.some((rt) => !rt.master);
  }

  defaultRecordType(): RecordTypeInfo | undefined {
    return (
      this.recordTypes.find((rt) => rt.defaultMapping) ?? this.recordTypes.find((rt) => rt.master)
    );
  }

  addField(spec: Record<string, unknown> & { name: string; type: string }): Field {
    if (this.field(spec.name)) throw new Error(`${this.name}.${spec.name} already exists`);
    const field = this.#index(completeFieldJson(spec));
    this.addedFields.push(field.json);
    this.#describeCache.clear();
    return field;
  }

  addRecordType(info: RecordTypeInfo): void {
    if (!this.field('RecordTypeId')) {
      // The field appears in describe only once the object has record types (API-NOTES §5).
      this.#index(
        completeFieldJson({
          name: 'RecordTypeId',
          type: 'reference',
          label: 'Record Type ID',
          custom: false,
          permissionable: false,
          referenceTo: ['RecordType'],
          relationshipName: 'RecordType',
        }),
        this.fields.findIndex((f) => f.name === 'OwnerId'),
      );
    }
    if (info.defaultMapping) for (const rt of this.recordTypes) rt.defaultMapping = false;
    if (this.recordTypes.length === 0) {
      this.recordTypes.push({
        id: masterRecordTypeId,
        developerName: 'Master',
        name: 'Master',
        master: true,
        defaultMapping: !info.defaultMapping,
        picklists: {},
        defaults: {},
      });
    }
    const masterIndex = this.recordTypes.findIndex((rt) => rt.master);
    this.recordTypes.splice(masterIndex < 0 ? this.recordTypes.length : masterIndex, 0, info);
    this.#recordTypesChanged = true;
    this.#describeCache.clear();
  }

  /** The describe body for an API version, with URLs pointing at this emulator. */
  describe(version: string, baseUrl: string): string {
    const key = `${version} ${baseUrl}`;
    let text = this.#describeCache.get(key);
    if (text === undefined) {
      const body = {
        ...this.#base,
        fields: this.fields.map((f) => f.json),
        recordTypeInfos: this.#recordTypeInfos(),
      };
      text = rewriteUrls(JSON.stringify(body), version, baseUrl);
      this.#describeCache.set(key, text);
    }
    return text;
  }

  /** The describeGlobal entry for this object. */
  globalEntry(version: string): Record<string, unknown> {
    const keys = [
      'activateable',
      'associateEntityType',
      'associateParentEntity',
      'createable',
      'custom',
      'customSetting',
      'deepCloneable',
      'deletable',
      'deprecatedAndHidden',
      'feedEnabled',
      'hasSubtypes',
      'isInterface',
      'isSubtype',
      'keyPrefix',
      'label',
      'labelPlural',
      'layoutable',
      'mergeable',
      'mruEnabled',
      'name',
      'queryable',
      'replicateable',
      'retrieveable',
      'searchable',
      'triggerable',
      'undeletable',
      'updateable',
    ];
    const entry: Record<string, unknown> = {};
    for (const key of keys) entry[key] = this.#base[key] ?? null;
    const v = `/services/data/v${version}/sobjects/${this.name}`;
    entry['urls'] = {
      compactLayouts: `${v}/describe/compactLayouts`,
      rowTemplate: `${v}/{ID}`,
      approvalLayouts: `${v}/describe/approvalLayouts`,
      listviews: `${v}/listviews`,
      describe: `${v}/describe`,
      quickActions: `${v}/quickActions`,
      layouts: `${v}/describe/layouts`,
      sobject: v,
    };
    return entry;
  }

  #recordTypeInfos(): unknown {
    if (!this.#recordTypesChanged) return this.#base['recordTypeInfos'] ?? [];
    return this.recordTypes.map((rt) => ({
      active: true,
      available: true,
      defaultRecordTypeMapping: rt.defaultMapping,
      developerName: rt.developerName,
      master: rt.master,
      name: rt.name,
      recordTypeId: rt.id,
      urls: { layout: `/services/data/v59.0/sobjects/${this.name}/describe/layouts/${rt.id}` },
    }));
  }

  #index(json: FieldJson, at = -1): Field {
    const field = toField(json);
    this.#groups = null;
    if (at >= 0) this.fields.splice(at, 0, field);
    else this.fields.push(field);
    this.byLower.set(field.name.toLowerCase(), field);
    this.#byName.set(field.name, field);
    if (field.relationshipName) this.relationships.set(field.relationshipName.toLowerCase(), field);
    return field;
  }
}

/** Recorded describes carry the recording org's version and host; serve this emulator's. */
export function rewriteUrls(text: string, version: string, baseUrl: string): string {
  return text
    .replace(/\/services\/data\/v(?:\d+|xx)\.\d+\//g, `/services/data/v${version}/`)
    .replace(/https:\/\/[a-z0-9.-]+\.salesforce\.com/g, baseUrl);
}
