/**
 * Planning a new Lead for an Intercom person who matched nothing: Lead creation settings, the
 * threshold rule, mapped values, required-field fallbacks, identifier and external-ID fields.
 */
import { requiredFieldFallback, type FallbackSource } from './fallbacks.ts';
import { valuesHash } from './hash.ts';
import { mappableAttributes, readIntercomValue, type IntercomContact } from './intercom.ts';
import { emptyPlan, intercomValuesOf, rejectedPicklistValue, resolve } from './plan-support.ts';
import type { PersonPlan, PlanInput, Skip } from './plan-types.ts';
import { isRequiredOnCreate } from './salesforce.ts';
import { writesSalesforce } from './settings.ts';
import { passesThreshold } from './threshold.ts';
import { normalizeSalesforceValue, toSalesforceValue, type SyncValue } from './values.ts';

export function planLeadCreation(input: PlanInput, contact: IntercomContact): PersonPlan {
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
