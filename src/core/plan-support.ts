/** Helpers shared by Lead creation and update planning. */
import { compatible } from './compatibility.ts';
import {
  findAttribute,
  readIntercomValue,
  type IntercomContact,
  type IntercomDataAttribute,
} from './intercom.ts';
import type { LinkSyncState, PersonPlan, Skip } from './plan-types.ts';
import {
  findField,
  type SalesforceDescribe,
  type SalesforceField,
  type SalesforcePerson,
} from './salesforce.ts';
import type { AttributeMapping } from './settings.ts';
import { normalizeIntercomValue, normalizeSalesforceValue, type SyncValue } from './values.ts';

export interface Resolved {
  readonly mapping: AttributeMapping;
  readonly attribute: IntercomDataAttribute;
  readonly field: SalesforceField;
}

export const emptyPlan = (skips: Skip[], nextState: LinkSyncState | null = null): PersonPlan => ({
  createLead: null,
  salesforceUpdates: [],
  intercomUpdates: [],
  skips,
  conflicts: [],
  nextState,
});

/** Resolves a mapping against describe and data attributes; invalid ones are skipped. */
export function resolve(
  mappings: readonly AttributeMapping[],
  describe: SalesforceDescribe[keyof SalesforceDescribe],
  attributes: readonly IntercomDataAttribute[],
  skips: Skip[],
): Resolved[] {
  const resolved: Resolved[] = [];
  for (const mapping of mappings) {
    const attribute = findAttribute(attributes, mapping.intercom);
    const field = findField(describe, mapping.salesforce);
    const invalid =
      attribute === undefined
        ? `Intercom has no attribute ${mapping.intercom}`
        : field === undefined
          ? `${describe.name} has no field ${mapping.salesforce}`
          : !compatible(attribute.dataType, field.type, mapping.direction)
            ? `${attribute.dataType} and ${field.type} are not compatible ${mapping.direction}`
            : undefined;
    if (invalid !== undefined || attribute === undefined || field === undefined) {
      skips.push({ reason: 'mapping_invalid', mapping, detail: invalid ?? '' });
    } else resolved.push({ mapping, attribute, field });
  }
  return resolved;
}

export const intercomValuesOf = (contact: IntercomContact, resolved: readonly Resolved[]) =>
  Object.fromEntries(
    resolved.map(({ attribute }) => [
      attribute.fullName,
      normalizeIntercomValue(readIntercomValue(contact, attribute.fullName), attribute.dataType),
    ]),
  );

export const salesforceValuesOf = (person: SalesforcePerson, resolved: readonly Resolved[]) =>
  Object.fromEntries(
    resolved.map(({ field }) => [
      field.name,
      normalizeSalesforceValue(person.fields[field.name], field.type),
    ]),
  );

/** A value Salesforce would refuse for a restricted picklist, if any. */
export function rejectedPicklistValue(
  field: SalesforceField,
  value: SyncValue,
): string | undefined {
  if (value === null || !field.restrictedPicklist) return undefined;
  if (field.type !== 'picklist' && field.type !== 'multipicklist') return undefined;
  const allowed = new Set(field.picklistValues.filter((v) => v.active).map((v) => v.value));
  const items = field.type === 'multipicklist' ? String(value).split(';') : [String(value)];
  return items.find((item) => !allowed.has(item));
}
