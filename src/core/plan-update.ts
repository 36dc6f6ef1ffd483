/**
 * Planning the sync of a linked pair: echo detection, directions, conflict policies, skip
 * options, required-field fallbacks and value conversion, field by field.
 */
import type { Flow } from './compatibility.ts';
import { resolveConflict } from './conflict.ts';
import { requiredFieldFallback, type FallbackSource } from './fallbacks.ts';
import { valuesHash } from './hash.ts';
import { mappableAttributes, readIntercomValue, type IntercomContact } from './intercom.ts';
import {
  emptyPlan,
  intercomValuesOf,
  rejectedPicklistValue,
  resolve,
  salesforceValuesOf,
} from './plan-support.ts';
import type {
  ConflictRecord,
  FieldChange,
  PersonPlan,
  PlanInput,
  SideState,
  Skip,
} from './plan-types.ts';
import {
  isReadOnlyField,
  isRequiredOnCreate,
  salesforceTime,
  type SalesforcePerson,
} from './salesforce.ts';
import { writesSalesforce } from './settings.ts';
import {
  normalizeIntercomValue,
  normalizeSalesforceValue,
  toIntercomValue,
  toSalesforceValue,
  type SyncValue,
} from './values.ts';

export function planUpdate(
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
