// Change events as Salesforce shapes them: on CREATE every field (null when empty); on UPDATE the
// changed ones; compound fields (Name of a person, addresses) nested as `{FirstName, LastName}` or
// `{Street, City, …}`, and named `Name.LastName` / `BillingAddress.City` in changedFields.
import type { ChangeEvent, Org } from '../org.ts';
import type { Field } from '../schema/field.ts';
import type { SObjectType } from '../schema/sobject.ts';

// Not carried by change events (docs "Change Event Fields": system and derived fields).
const excluded = new Set([
  'Id',
  'IsDeleted',
  'SystemModstamp',
  'LastViewedDate',
  'LastReferencedDate',
  'LastActivityDate',
]);

interface Shape {
  /** Component field → [compound name, key inside the compound]. */
  readonly components: Map<string, readonly [string, string]>;
  /** Compound fields, in describe order. */
  readonly compounds: readonly string[];
  /** Plain fields carried as they are, in describe order. */
  readonly plain: readonly Field[];
}

const shapes = new WeakMap<SObjectType, { fields: number; shape: Shape }>();

function shapeOf(type: SObjectType): Shape {
  const cached = shapes.get(type);
  if (cached && cached.fields === type.fields.length) return cached.shape;
  const components = new Map<string, readonly [string, string]>();
  const compoundNames = new Set<string>();
  for (const field of type.fields) {
    const compound = field.compoundFieldName;
    if (!compound || !type.field(compound)) continue;
    const prefix = compound.endsWith('Address') ? compound.slice(0, -'Address'.length) : '';
    const key =
      prefix && field.name.startsWith(prefix) ? field.name.slice(prefix.length) : field.name;
    components.set(field.name, [compound, key]);
    compoundNames.add(compound);
  }
  const compounds = type.fields.filter((f) => compoundNames.has(f.name)).map((f) => f.name);
  const plain = type.fields.filter(
    (f) =>
      !excluded.has(f.name) &&
      !f.calculated &&
      !components.has(f.name) &&
      !compoundNames.has(f.name),
  );
  const shape = { components, compounds, plain };
  shapes.set(type, { fields: type.fields.length, shape });
  return shape;
}

/** The `payload` of a change event message. */
export function changePayload(org: Org, event: ChangeEvent): Record<string, unknown> {
  const header = { ...event.header, recordIds: [...event.header.recordIds] };
  const type = org.type(event.header.entityName);
  if (!type) return { ChangeEventHeader: header, ...event.fields };
  const shape = shapeOf(type);
  const payload: Record<string, unknown> = { ChangeEventHeader: header };
  const nest = (name: string): string => {
    const component = shape.components.get(name);
    return component ? `${component[0]}.${component[1]}` : name;
  };
  const carried = (f: string): boolean => !excluded.has(f) && !shape.compounds.includes(f);
  header.changedFields = event.header.changedFields.filter(carried).map(nest);
  header.nulledFields = event.header.nulledFields.map(nest);
  if (event.header.changeType === 'CREATE' || event.header.changeType === 'UNDELETE') {
    for (const field of shape.plain) payload[field.name] = event.fields[field.name] ?? null;
    for (const compound of shape.compounds) {
      const value: Record<string, unknown> = {};
      let any = false;
      for (const [component, [owner, key]] of shape.components) {
        if (owner !== compound) continue;
        const v = event.fields[component] ?? null;
        if (v !== null) any = true;
        value[key] = v;
      }
      payload[compound] = any ? value : null;
    }
    return payload;
  }
  for (const [name, value] of Object.entries(event.fields)) {
    if (excluded.has(name) || type.field(name)?.calculated) continue;
    const component = shape.components.get(name);
    if (!component) {
      if (!shape.compounds.includes(name)) payload[name] = value;
      continue;
    }
    const nested = (payload[component[0]] ??= {}) as Record<string, unknown>;
    nested[component[1]] = value;
  }
  return payload;
}
