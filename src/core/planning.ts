/**
 * Planning (issue 5, point 5): from the current state of both sides, what to write where.
 * Applies directions, skip options, conflict policies, required-field fallbacks, the Lead
 * threshold and echo detection. The caller applies the plan, then stores `nextState`.
 */
import { compatible, type Flow } from './compatibility.ts';
import { resolveConflict, type ConflictResolution } from './conflict.ts';
import { requiredFieldFallback, type FallbackSource } from './fallbacks.ts';
import { valuesHash } from './hash.ts';
import {
  findAttribute,
  mappableAttributes,
  readIntercomValue,
  type IntercomContact,
  type IntercomDataAttribute,
} from './intercom.ts';
import {
  findField,
  isReadOnlyField,
  isRequiredOnCreate,
  salesforceTime,
  type SalesforceDescribe,
  type SalesforceField,
  type SalesforcePerson,
} from './salesforce.ts';
import { writesSalesforce, type AttributeMapping, type SyncSettings } from './settings.ts';
import { passesThreshold } from './threshold.ts';
import {
  normalizeIntercomValue,
  normalizeSalesforceValue,
  toIntercomValue,
  toSalesforceValue,
  type SyncValue,
} from './values.ts';

/** What Tandem knows about one side of a link after its last sync. */
export interface SideState {
  /** `valuesHash` of that side's mapped values. */
  readonly hash: string;
  /** Whether Tandem wrote those values (so seeing them again is an echo). */
  readonly written: boolean;
}

/** Per link: the values both sides agreed on, and the hash of each side's mapped values. */
export interface LinkSyncState {
  /** By Salesforce field: the agreed value, in the mapping's comparison form. */
  readonly baseline: Readonly<Record<string, SyncValue>>;
  readonly intercom: SideState | null;
  readonly salesforce: SideState | null;
}

export type Trigger = 'intercom' | 'salesforce' | 'reconcile';

export interface PlanInput {
  readonly settings: SyncSettings;
  readonly describe: SalesforceDescribe;
  readonly intercomAttributes: readonly IntercomDataAttribute[];
  readonly intercom: IntercomContact | null;
  /** The linked (or matched) Lead or Contact; null when there is none. */
  readonly salesforce: SalesforcePerson | null;
  readonly state: LinkSyncState | null;
  readonly trigger: Trigger;
}

export const skipReasons = [
  'threshold',
  'lead_creation_disabled',
  'not_matchable',
  'no_counterpart',
  'converted_lead',
  'source_empty',
  'destination_has_value',
  'no_change',
  'echo',
  'unconvertible',
  'picklist_value_rejected',
  'mapping_invalid',
] as const;
export type SkipReason = (typeof skipReasons)[number];

export interface Skip {
  readonly reason: SkipReason;
  readonly mapping: AttributeMapping | null;
  readonly detail: string;
}

export interface FieldChange {
  readonly mapping: AttributeMapping;
  /** Salesforce field or Intercom attribute (full name) written. */
  readonly field: string;
  readonly old: SyncValue;
  readonly new: SyncValue;
  /** Set when a required-field fallback supplied the value. */
  readonly fallback?: FallbackSource;
}

export interface ConflictRecord {
  readonly mapping: AttributeMapping;
  readonly intercomValue: SyncValue;
  readonly salesforceValue: SyncValue;
  readonly winner: ConflictResolution['winner'];
  readonly rule: ConflictResolution['rule'];
}

export interface LeadCreation {
  readonly fields: Readonly<Record<string, SyncValue>>;
  readonly fallbacks: readonly { readonly field: string; readonly source: FallbackSource }[];
}

export interface PersonPlan {
  readonly createLead: LeadCreation | null;
  readonly salesforceUpdates: readonly FieldChange[];
  readonly intercomUpdates: readonly FieldChange[];
  readonly skips: readonly Skip[];
  readonly conflicts: readonly ConflictRecord[];
  /** What to store once the plan is applied; null when nothing is to be stored. */
  readonly nextState: LinkSyncState | null;
}

interface Resolved {
  readonly mapping: AttributeMapping;
  readonly attribute: IntercomDataAttribute;
  readonly field: SalesforceField;
}

const emptyPlan = (skips: Skip[], nextState: LinkSyncState | null = null): PersonPlan => ({
  createLead: null,
  salesforceUpdates: [],
  intercomUpdates: [],
  skips,
  conflicts: [],
  nextState,
});

/** Resolves a mapping against describe and data attributes; invalid ones are skipped. */
function resolve(
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

const intercomValuesOf = (contact: IntercomContact, resolved: readonly Resolved[]) =>
  Object.fromEntries(
    resolved.map(({ attribute }) => [
      attribute.fullName,
      normalizeIntercomValue(readIntercomValue(contact, attribute.fullName), attribute.dataType),
    ]),
  );

const salesforceValuesOf = (person: SalesforcePerson, resolved: readonly Resolved[]) =>
  Object.fromEntries(
    resolved.map(({ field }) => [
      field.name,
      normalizeSalesforceValue(person.fields[field.name], field.type),
    ]),
  );

/** A value Salesforce would refuse for a restricted picklist, if any. */
function rejectedPicklistValue(field: SalesforceField, value: SyncValue): string | undefined {
  if (value === null || !field.restrictedPicklist) return undefined;
  if (field.type !== 'picklist' && field.type !== 'multipicklist') return undefined;
  const allowed = new Set(field.picklistValues.filter((v) => v.active).map((v) => v.value));
  const items = field.type === 'multipicklist' ? String(value).split(';') : [String(value)];
  return items.find((item) => !allowed.has(item));
}

export function planPersonSync(input: PlanInput): PersonPlan {
  const { intercom, salesforce } = input;
  if (intercom === null) {
    return emptyPlan([
      { reason: 'no_counterpart', mapping: null, detail: 'Tandem does not create Intercom people' },
    ]);
  }
  if (salesforce === null) return planLeadCreation(input, intercom);
  if (salesforce.type === 'Lead' && salesforce.isConverted) {
    return emptyPlan([
      {
        reason: 'converted_lead',
        mapping: null,
        detail: `Lead ${salesforce.id} was converted; its link moves to Contact ${salesforce.convertedContactId ?? '(unknown)'}`,
      },
    ]);
  }
  return planUpdate(input, intercom, salesforce);
}

function planLeadCreation(input: PlanInput, contact: IntercomContact): PersonPlan {
  const { settings, describe } = input;
  if (input.trigger === 'salesforce') {
    return emptyPlan([{ reason: 'no_counterpart', mapping: null, detail: 'no Salesforce record' }]);
  }
  if (!settings.leadCreation.enabled) {
    return emptyPlan([
      { reason: 'lead_creation_disabled', mapping: null, detail: 'Lead creation is off' },
    ]);
  }
  if (settings.matching.mode === 'identifier' && !settings.matching.emailFallback) {
    return emptyPlan([
      {
        reason: 'not_matchable',
        mapping: null,
        detail: 'without the email fallback no Leads are created',
      },
    ]);
  }
  const threshold = passesThreshold(contact, settings.leadCreation.threshold);
  if (!threshold.passes) {
    return emptyPlan([
      { reason: 'threshold', mapping: null, detail: `${threshold.failure}: ${threshold.detail}` },
    ]);
  }

  const skips: Skip[] = [];
  const attributes = mappableAttributes(input.intercomAttributes);
  const resolved = resolve(settings.mappings.Lead, describe.Lead, attributes, skips);
  const fields: Record<string, SyncValue> = {};
  const fallbacks: { field: string; source: FallbackSource }[] = [];
  const baseline: Record<string, SyncValue> = {};

  for (const { mapping, attribute, field } of resolved) {
    if (!writesSalesforce(mapping.direction)) continue;
    if (!field.createable || field.calculated) {
      skips.push({
        reason: 'mapping_invalid',
        mapping,
        detail: `Lead.${field.name} is not createable`,
      });
      continue;
    }
    const converted = toSalesforceValue(
      readIntercomValue(contact, attribute.fullName),
      attribute.dataType,
      field.type,
    );
    if (!converted.ok) {
      skips.push({ reason: 'unconvertible', mapping, detail: converted.reason });
      continue;
    }
    let value = converted.value;
    if (value === null) {
      const fallback = requiredFieldFallback(
        field.name,
        contact,
        settings.leadCreation.companyPlaceholder,
      );
      if (fallback !== undefined) {
        value = fallback.value;
        fallbacks.push({ field: field.name, source: fallback.source });
      } else {
        if (mapping.skipIfSourceEmpty) {
          skips.push({ reason: 'source_empty', mapping, detail: `${attribute.fullName} is empty` });
        }
        continue;
      }
    }
    const rejected = rejectedPicklistValue(field, value);
    if (rejected !== undefined) {
      skips.push({
        reason: 'picklist_value_rejected',
        mapping,
        detail: `Lead.${field.name} does not accept ${JSON.stringify(rejected)}`,
      });
      continue;
    }
    fields[field.name] = value;
    baseline[field.name] = value;
  }
  // Salesforce refuses a Lead without its required fields: fill them even if unmapped.
  for (const field of describe.Lead.fields.filter(isRequiredOnCreate)) {
    if (fields[field.name] !== undefined) continue;
    const fallback = requiredFieldFallback(
      field.name,
      contact,
      settings.leadCreation.companyPlaceholder,
    );
    if (fallback === undefined) continue;
    fields[field.name] = fallback.value;
    fallbacks.push({ field: field.name, source: fallback.source });
  }
  // Email is what later matches this Lead: always set it, mapped or not.
  if (fields['Email'] === undefined && contact.email !== null && contact.email.trim() !== '') {
    fields['Email'] = contact.email.trim();
  }
  const { identifierField } = settings.matching;
  if (settings.matching.mode === 'identifier' && identifierField !== null && contact.externalId) {
    fields[identifierField] = contact.externalId;
  }
  if (settings.externalIdField !== null) fields[settings.externalIdField] = contact.id;

  // The new Lead holds what Tandem wrote: its change event must read as an echo.
  const createdValues = Object.fromEntries(
    resolved.map(({ field }) => [
      field.name,
      normalizeSalesforceValue(fields[field.name], field.type),
    ]),
  );
  return {
    createLead: { fields, fallbacks },
    salesforceUpdates: [],
    intercomUpdates: [],
    skips,
    conflicts: [],
    nextState: {
      baseline,
      intercom: { hash: valuesHash(intercomValuesOf(contact, resolved)), written: false },
      salesforce: {
        hash: valuesHash(createdValues),
        written: true,
      },
    },
  };
}

function planUpdate(
  input: PlanInput,
  contact: IntercomContact,
  person: SalesforcePerson,
): PersonPlan {
  const { settings, state, trigger } = input;
  const skips: Skip[] = [];
  const attributes = mappableAttributes(input.intercomAttributes);
  const objectDescribe = input.describe[person.type];
  const resolved = resolve(settings.mappings[person.type], objectDescribe, attributes, skips);

  const intercomValues = intercomValuesOf(contact, resolved);
  const salesforceValues = salesforceValuesOf(person, resolved);
  const intercomHash = valuesHash(intercomValues);
  const salesforceHash = valuesHash(salesforceValues);
  const echoOf = (side: SideState | null | undefined, hash: string) =>
    side !== null && side !== undefined && side.written && side.hash === hash;
  const intercomEcho = echoOf(state?.intercom, intercomHash);
  const salesforceEcho = echoOf(state?.salesforce, salesforceHash);
  if (
    (trigger === 'intercom' && intercomEcho) ||
    (trigger === 'salesforce' && salesforceEcho) ||
    (trigger === 'reconcile' && intercomEcho && salesforceEcho)
  ) {
    return emptyPlan(
      [
        {
          reason: 'echo',
          mapping: null,
          detail: `the ${trigger === 'reconcile' ? 'mapped' : trigger} values are what Tandem last wrote`,
        },
      ],
      state,
    );
  }

  const salesforceUpdates: FieldChange[] = [];
  const intercomUpdates: FieldChange[] = [];
  const conflicts: ConflictRecord[] = [];
  const baseline: Record<string, SyncValue> = { ...(state?.baseline ?? {}) };
  const nextIntercom = { ...intercomValues };
  const nextSalesforce = { ...salesforceValues };
  const updatedAt = {
    intercom: contact.updatedAt * 1000,
    salesforce: salesforceTime(person.lastModifiedDate),
  };

  for (const { mapping, attribute, field } of resolved) {
    const intercomRaw = readIntercomValue(contact, attribute.fullName);
    const salesforceRaw = person.fields[field.name];
    // Values are compared in the destination's form (Salesforce's for `both`), so that a
    // lossy conversion (a date-time into a date) does not look like a change forever.
    const inSalesforceForm = writesSalesforce(mapping.direction);
    const fromIntercom = inSalesforceForm
      ? toSalesforceValue(intercomRaw, attribute.dataType, field.type)
      : { ok: true as const, value: intercomValues[attribute.fullName] ?? null };
    const fromSalesforce = inSalesforceForm
      ? { ok: true as const, value: salesforceValues[field.name] ?? null }
      : toIntercomValue(salesforceRaw, field.type, attribute.dataType);
    if (!fromIntercom.ok || !fromSalesforce.ok) {
      const reason = !fromIntercom.ok
        ? fromIntercom.reason
        : !fromSalesforce.ok
          ? fromSalesforce.reason
          : '';
      skips.push({ reason: 'unconvertible', mapping, detail: reason });
      continue;
    }
    const intercomValue = fromIntercom.value;
    const salesforceValue = fromSalesforce.value;
    if (intercomValue === salesforceValue) {
      baseline[field.name] = intercomValue;
      continue;
    }

    let flow: Flow;
    if (mapping.direction !== 'both') flow = mapping.direction;
    else {
      const known = state !== null && Object.hasOwn(state.baseline, field.name);
      const agreed = known ? (state.baseline[field.name] ?? null) : null;
      const intercomChanged = known ? intercomValue !== agreed : intercomValue !== null;
      const salesforceChanged = known ? salesforceValue !== agreed : salesforceValue !== null;
      if (intercomChanged && salesforceChanged) {
        const resolution = resolveConflict(mapping.conflictPolicy, updatedAt);
        conflicts.push({
          mapping,
          intercomValue,
          salesforceValue,
          winner: resolution.winner,
          rule: resolution.rule,
        });
        flow = resolution.winner === 'intercom' ? 'to_salesforce' : 'to_intercom';
      } else flow = intercomChanged ? 'to_salesforce' : 'to_intercom';
    }

    const [source, destination] =
      flow === 'to_salesforce'
        ? [intercomValue, salesforceValue]
        : [salesforceValue, intercomValue];
    let value = source;
    let fallback: FallbackSource | undefined;
    if (value === null && flow === 'to_salesforce' && isRequiredOnCreate(field)) {
      // Never blank a required field: use its fallback, or leave the field alone.
      const found = requiredFieldFallback(
        field.name,
        contact,
        settings.leadCreation.companyPlaceholder,
      );
      if (found === undefined || found.value === destination) {
        skips.push({
          reason: 'source_empty',
          mapping,
          detail: `${field.name} is required and ${attribute.fullName} is empty`,
        });
        continue;
      }
      value = found.value;
      fallback = found.source;
    } else if (value === null && mapping.skipIfSourceEmpty) {
      skips.push({
        reason: 'source_empty',
        mapping,
        detail: `the ${flow === 'to_salesforce' ? 'Intercom' : 'Salesforce'} value is empty`,
      });
      continue;
    }
    if (destination !== null && mapping.skipIfDestinationHasValue) {
      skips.push({
        reason: 'destination_has_value',
        mapping,
        detail: `${flow === 'to_salesforce' ? `${person.type}.${field.name}` : attribute.fullName} already has a value`,
      });
      continue;
    }

    if (flow === 'to_salesforce') {
      if (isReadOnlyField(field) || !field.updateable) {
        skips.push({
          reason: 'mapping_invalid',
          mapping,
          detail: `${person.type}.${field.name} is not updateable`,
        });
        continue;
      }
      const rejected = rejectedPicklistValue(field, value);
      if (rejected !== undefined) {
        skips.push({
          reason: 'picklist_value_rejected',
          mapping,
          detail: `${person.type}.${field.name} does not accept ${JSON.stringify(rejected)}`,
        });
        continue;
      }
      salesforceUpdates.push({
        mapping,
        field: field.name,
        old: destination,
        new: value,
        ...(fallback ? { fallback } : {}),
      });
      nextSalesforce[field.name] = normalizeSalesforceValue(value, field.type);
    } else {
      if (!attribute.apiWritable) {
        skips.push({
          reason: 'mapping_invalid',
          mapping,
          detail: `${attribute.fullName} is read-only in Intercom`,
        });
        continue;
      }
      const written = inSalesforceForm
        ? toIntercomValue(salesforceRaw, field.type, attribute.dataType)
        : { ok: true as const, value };
      if (!written.ok) {
        skips.push({ reason: 'unconvertible', mapping, detail: written.reason });
        continue;
      }
      intercomUpdates.push({
        mapping,
        field: attribute.fullName,
        old: intercomValues[attribute.fullName] ?? null,
        new: written.value,
      });
      nextIntercom[attribute.fullName] = normalizeIntercomValue(written.value, attribute.dataType);
    }
    baseline[field.name] = value;
  }

  if (salesforceUpdates.length === 0 && intercomUpdates.length === 0 && skips.length === 0) {
    skips.push({ reason: 'no_change', mapping: null, detail: 'both sides already agree' });
  }
  const sideState = (
    wrote: boolean,
    before: string,
    after: Record<string, SyncValue>,
    previous: SideState | null | undefined,
  ): SideState => {
    const hash = valuesHash(after);
    return {
      hash,
      written: wrote || (previous?.written === true && previous.hash === before && hash === before),
    };
  };
  return {
    createLead: null,
    salesforceUpdates,
    intercomUpdates,
    skips,
    conflicts,
    nextState: {
      baseline,
      intercom: sideState(intercomUpdates.length > 0, intercomHash, nextIntercom, state?.intercom),
      salesforce: sideState(
        salesforceUpdates.length > 0,
        salesforceHash,
        nextSalesforce,
        state?.salesforce,
      ),
    },
  };
}
