// Seeds: a JSON description of customisations (custom fields, record types, duplicate rules),
// users and records, applied through the normal write path (trusted, without change events).
import { transact } from '../context.ts';
import type { Org } from '../org.ts';
import { picklistJson } from '../schema/field.ts';
import type { Row } from '../store/table.ts';
import type { Writer } from '../write/writer.ts';

export interface CustomFieldSpec {
  readonly object: string;
  readonly name: string;
  readonly type:
    | 'string'
    | 'email'
    | 'phone'
    | 'url'
    | 'textarea'
    | 'picklist'
    | 'multipicklist'
    | 'boolean'
    | 'int'
    | 'double'
    | 'currency'
    | 'percent'
    | 'date'
    | 'datetime'
    | 'reference';
  readonly label?: string;
  readonly length?: number;
  readonly externalId?: boolean;
  readonly unique?: boolean;
  readonly caseSensitive?: boolean;
  readonly required?: boolean;
  readonly values?: readonly string[];
  readonly defaultValue?: string;
  readonly restricted?: boolean;
  readonly referenceTo?: string;
  readonly relationshipName?: string;
  /** A formula field: read-only, `calculated: true`; its value is not computed by the emulator. */
  readonly formula?: string;
}

export interface RecordTypeSpec {
  readonly object: string;
  readonly developerName: string;
  readonly name?: string;
  readonly default?: boolean;
  readonly picklists?: Readonly<Record<string, readonly string[]>>;
  readonly defaults?: Readonly<Record<string, string>>;
}

export interface DuplicateRuleSpec {
  readonly object: string;
  readonly name: string;
  readonly fields: readonly string[];
  readonly action?: 'block' | 'allow';
  readonly active?: boolean;
}

export interface SeedSpec {
  readonly customFields?: readonly CustomFieldSpec[];
  readonly recordTypes?: readonly RecordTypeSpec[];
  readonly duplicateRules?: readonly DuplicateRuleSpec[];
  /** Records per object, inserted in the order given. A `"@ref": "name"` key names a record; a value `"@name"` refers to it. */
  readonly records?: Readonly<Record<string, readonly Record<string, unknown>[]>>;
}

function fieldJson(
  spec: CustomFieldSpec,
): Record<string, unknown> & { name: string; type: string } {
  const json: Record<string, unknown> & { name: string; type: string } = {
    name: spec.name,
    type: spec.type,
    custom: true,
  };
  if (spec.label !== undefined) json['label'] = spec.label;
  if (spec.length !== undefined) json['length'] = spec.length;
  if (spec.externalId) {
    json['externalId'] = true;
    json['idLookup'] = true;
  }
  if (spec.unique) json['unique'] = true;
  if (spec.caseSensitive) json['caseSensitive'] = true;
  if (spec.required) json['nillable'] = false;
  if (spec.values) {
    json['picklistValues'] = picklistJson(spec.values, spec.defaultValue);
    json['restrictedPicklist'] = spec.restricted === true;
    if (spec.defaultValue !== undefined) {
      json['defaultValue'] = spec.defaultValue;
      json['defaultedOnCreate'] = true;
    }
  }
  if (spec.referenceTo) {
    json['referenceTo'] = [spec.referenceTo];
    json['relationshipName'] = spec.relationshipName ?? spec.name.replace(/__c$/, '__r');
  }
  if (spec.formula !== undefined) {
    json['calculated'] = true;
    json['calculatedFormula'] = spec.formula;
  }
  return json;
}

/** Adds the seed's customisations to the schema (idempotent for fields already there). */
export function applyCustomisations(
  org: Org,
  writer: Writer,
  spec: SeedSpec,
  adminId: string,
): void {
  for (const custom of spec.customFields ?? []) {
    const table = org.table(custom.object);
    if (!table) throw new Error(`seed: unknown object ${custom.object}`);
    if (table.type.field(custom.name)) continue;
    const field = table.type.addField(fieldJson(custom));
    table.indexField(field);
  }
  for (const rt of spec.recordTypes ?? []) {
    const type = org.type(rt.object);
    if (!type) throw new Error(`seed: unknown object ${rt.object}`);
    if (type.recordTypes.some((r) => r.developerName === rt.developerName)) continue;
    const result = transact(org, (tx) =>
      writer.create(
        tx,
        { userId: adminId, origin: 'seed' },
        'RecordType',
        {
          Name: rt.name ?? rt.developerName,
          DeveloperName: rt.developerName,
          SobjectType: type.name,
          IsActive: true,
        },
        { trusted: true, silent: true },
      ),
    );
    if (!result.ok)
      throw new Error(`seed: record type ${rt.developerName}: ${result.errors[0]?.message}`);
    type.addRecordType({
      id: result.id,
      developerName: rt.developerName,
      name: rt.name ?? rt.developerName,
      master: false,
      defaultMapping: rt.default === true,
      picklists: rt.picklists ?? {},
      defaults: rt.defaults ?? {},
    });
  }
  for (const rule of spec.duplicateRules ?? []) {
    if (org.duplicateRules.some((r) => r.name === rule.name)) continue;
    org.duplicateRules.push({
      name: rule.name,
      object: rule.object,
      fields: rule.fields,
      action: rule.action ?? 'block',
      active: rule.active ?? true,
    });
  }
}

/** Inserts seed records; returns the ids by `@ref` name. Throws on the first invalid record. */
export function insertRecords(
  org: Org,
  writer: Writer,
  spec: SeedSpec,
  adminId: string,
): Map<string, string> {
  const refs = new Map<string, string>();
  for (const [object, records] of Object.entries(spec.records ?? {})) {
    for (const record of records) {
      const body: Row = {};
      let ref: string | null = null;
      for (const [key, value] of Object.entries(record)) {
        if (key === '@ref') ref = String(value);
        else if (typeof value === 'string' && value.startsWith('@') && refs.has(value.slice(1)))
          body[key] = refs.get(value.slice(1)) ?? null;
        else body[key] = value as Row[string];
      }
      const result = transact(org, (tx) =>
        writer.create(tx, { userId: adminId, origin: 'seed' }, object, body, {
          trusted: true,
          silent: true,
        }),
      );
      if (!result.ok)
        throw new Error(
          `seed: ${object} ${JSON.stringify(record)}: ${result.errors[0]?.code} ${result.errors[0]?.message}`,
        );
      if (ref) refs.set(ref, result.id);
    }
  }
  return refs;
}
