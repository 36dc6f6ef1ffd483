/**
 * Mapping validation (issue 5, point 3) against Salesforce describe and Intercom data
 * attributes. Lists every problem at once, each with the mapping it concerns.
 */
import { compatible, flowsOf } from './compatibility.ts';
import {
  findAttribute,
  intercomTypeLabels,
  isHighFrequencyAttribute,
  isUtmAttribute,
  mappableAttributes,
  readIntercomValue,
  type IntercomContact,
  type IntercomDataAttribute,
} from './intercom.ts';
import {
  findField,
  isCompoundField,
  isReadOnlyField,
  isRequiredOnCreate,
  personObjects,
  type PersonObject,
  type SalesforceDescribe,
  type SalesforceField,
} from './salesforce.ts';
import {
  writesIntercom,
  writesSalesforce,
  type AttributeMapping,
  type SyncSettings,
} from './settings.ts';
import { toSalesforceValue } from './values.ts';

export const problemCodes = [
  'unknown_salesforce_field',
  'unknown_intercom_attribute',
  'intercom_attribute_will_be_created',
  'intercom_attribute_not_on_contact',
  'intercom_attribute_archived',
  'incompatible_types',
  'salesforce_read_only',
  'salesforce_create_only',
  'intercom_read_only',
  'salesforce_field_used_twice',
  'field_used_by_identifier',
  'field_used_by_external_id',
  'intercom_attribute_written_twice',
  'attribute_used_by_identifier',
  'compound_field',
  'high_frequency_attribute',
  'utm_only_to_leads',
  'reference_syncs_id',
  'picklist_values_rejected',
  'required_lead_field_unmapped',
  'required_lead_field_not_sent',
  'unknown_identifier_field',
  'identifier_field_type',
  'unknown_external_id_field',
  'external_id_field_not_external',
  'lead_creation_needs_email_fallback',
] as const;
export type ProblemCode = (typeof problemCodes)[number];

export type Severity = 'error' | 'warning';

export interface MappingProblem {
  readonly severity: Severity;
  readonly code: ProblemCode;
  readonly message: string;
  /** `mappings.Lead[2]`, `matching.identifierField`, … */
  readonly path: string;
  readonly object: PersonObject | null;
  readonly mapping: AttributeMapping | null;
}

export interface ValidationOptions {
  /** Intercom people whose values are checked against restricted picklists. */
  readonly sampleContacts?: readonly IntercomContact[];
}

const describeType = (field: SalesforceField) => `${field.name} (${field.type})`;
const describeAttribute = (attribute: IntercomDataAttribute) =>
  `${attribute.fullName} (${intercomTypeLabels[attribute.dataType]})`;

export function validateMappings(
  settings: SyncSettings,
  describe: SalesforceDescribe,
  intercomAttributes: readonly IntercomDataAttribute[],
  options: ValidationOptions = {},
): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const attributes = mappableAttributes(intercomAttributes);
  const { identifierField } = settings.matching;
  const usesIdentifier = settings.matching.mode === 'identifier' && identifierField !== null;

  for (const object of personObjects) {
    const objectDescribe = describe[object];
    const mappings = settings.mappings[object];
    const firstUse = new Map<string, number>();
    const firstIntercomWrite = new Map<string, number>();

    mappings.forEach((mapping, index) => {
      const path = `mappings.${object}[${index}]`;
      const report = (severity: Severity, code: ProblemCode, message: string) =>
        problems.push({ severity, code, message, path, object, mapping });
      const toSalesforce = writesSalesforce(mapping.direction);
      const toIntercom = writesIntercom(mapping.direction);

      const earlier = firstUse.get(mapping.salesforce);
      if (earlier !== undefined) {
        report(
          'error',
          'salesforce_field_used_twice',
          `${object}.${mapping.salesforce} is already used by mappings.${object}[${earlier}]`,
        );
      } else firstUse.set(mapping.salesforce, index);
      if (usesIdentifier && mapping.salesforce === identifierField) {
        report(
          'error',
          'field_used_by_identifier',
          `${object}.${mapping.salesforce} is the matching identifier field; it cannot also be mapped`,
        );
      }
      if (mapping.salesforce === settings.externalIdField) {
        report(
          'error',
          'field_used_by_external_id',
          `${object}.${mapping.salesforce} is the external-ID field; Tandem writes the Intercom id there`,
        );
      }

      const attribute = findAttribute(attributes, mapping.intercom);
      const attributeName = attribute?.fullName ?? mapping.intercom;
      if (toIntercom) {
        const earlierWrite = firstIntercomWrite.get(attributeName);
        if (earlierWrite !== undefined) {
          report(
            'error',
            'intercom_attribute_written_twice',
            `${attributeName} is already written by mappings.${object}[${earlierWrite}]`,
          );
        } else firstIntercomWrite.set(attributeName, index);
        if (usesIdentifier && attributeName === 'external_id') {
          report(
            'error',
            'attribute_used_by_identifier',
            'external_id is the matching identifier; Salesforce cannot write it',
          );
        }
      }
      if (isHighFrequencyAttribute(attributeName)) {
        report(
          'error',
          'high_frequency_attribute',
          `${attributeName} changes too often to be mapped (it would spend the API allowance)`,
        );
      }
      if (object === 'Contact' && toSalesforce && isUtmAttribute(attributeName)) {
        report(
          'error',
          'utm_only_to_leads',
          `UTM attribute ${attributeName} can be sent to Salesforce Leads only, not Contacts`,
        );
      }

      if (attribute === undefined) {
        const creatable = settings.createMissingIntercomAttributes && toIntercom;
        report(
          creatable ? 'warning' : 'error',
          creatable ? 'intercom_attribute_will_be_created' : 'unknown_intercom_attribute',
          creatable
            ? `Intercom has no attribute ${mapping.intercom}; Tandem will create it as a custom attribute`
            : `Intercom has no contact attribute ${mapping.intercom}`,
        );
      } else {
        if (attribute.model !== 'contact') {
          report(
            'error',
            'intercom_attribute_not_on_contact',
            `${attribute.fullName} is a ${attribute.model} attribute, not a contact attribute`,
          );
        }
        if (attribute.archived) {
          report(
            'warning',
            'intercom_attribute_archived',
            `${attribute.fullName} is archived in Intercom`,
          );
        }
        if (toIntercom && !attribute.apiWritable) {
          report(
            'error',
            'intercom_read_only',
            `${attribute.fullName} is read-only in Intercom; Salesforce cannot write it`,
          );
        }
      }

      const field = findField(objectDescribe, mapping.salesforce);
      if (field === undefined) {
        report('error', 'unknown_salesforce_field', `${object} has no field ${mapping.salesforce}`);
        return;
      }
      if (isCompoundField(objectDescribe, field)) {
        report(
          'error',
          'compound_field',
          `${object}.${field.name} is a compound field; map its components (e.g. FirstName, City) instead`,
        );
      }
      if (toSalesforce && isReadOnlyField(field)) {
        report(
          'error',
          'salesforce_read_only',
          `${object}.${field.name} is read-only in Salesforce${field.calculated ? ' (a formula)' : ''}; Intercom cannot write it`,
        );
      } else if (toSalesforce && !field.updateable) {
        report(
          'warning',
          'salesforce_create_only',
          `${object}.${field.name} can be set when a record is created but never updated`,
        );
      }
      if (field.type === 'reference') {
        report(
          'warning',
          'reference_syncs_id',
          `${object}.${field.name} is a reference to ${field.referenceTo.join(' or ') || 'another record'}: its record ID is synced, not the name it refers to`,
        );
      }
      if (attribute === undefined) return;
      for (const flow of flowsOf(mapping.direction)) {
        if (!compatible(attribute.dataType, field.type, flow)) {
          const [from, to] =
            flow === 'to_salesforce'
              ? [describeAttribute(attribute), describeType(field)]
              : [describeType(field), describeAttribute(attribute)];
          report(
            'error',
            'incompatible_types',
            `${from} cannot be synced to ${to} (${flow === 'to_salesforce' ? 'Intercom ➡️ Salesforce' : 'Salesforce ➡️ Intercom'} table)`,
          );
        }
      }
      if (toSalesforce && (field.type === 'picklist' || field.type === 'multipicklist')) {
        const rejected = rejectedPicklistValues(field, attribute, options.sampleContacts ?? []);
        if (rejected.length > 0) {
          const shown = rejected.slice(0, 10).map((value) => JSON.stringify(value));
          const more = rejected.length > 10 ? ` and ${rejected.length - 10} more` : '';
          report(
            'warning',
            'picklist_values_rejected',
            `${object}.${field.name} would reject ${shown.join(', ')}${more}: not among its ${field.restrictedPicklist ? 'restricted ' : ''}picklist values`,
          );
        }
      }
    });
  }

  validateIdentifier(settings, describe, problems);
  validateRequiredLeadFields(settings, describe, problems);
  return problems;
}

/** Values an attribute can hold (its options, or values seen in sample people) that the picklist lacks. */
function rejectedPicklistValues(
  field: SalesforceField,
  attribute: IntercomDataAttribute,
  samples: readonly IntercomContact[],
): string[] {
  const allowed = new Set(field.picklistValues.filter((v) => v.active).map((v) => v.value));
  const seen = new Set<string>(attribute.options);
  for (const contact of samples) {
    const converted = toSalesforceValue(
      readIntercomValue(contact, attribute.fullName),
      attribute.dataType,
      field.type,
    );
    if (!converted.ok || converted.value === null) continue;
    const value = String(converted.value);
    for (const item of field.type === 'multipicklist' ? value.split(';') : [value]) seen.add(item);
  }
  return [...seen].filter((value) => !allowed.has(value)).sort();
}

function validateIdentifier(
  settings: SyncSettings,
  describe: SalesforceDescribe,
  problems: MappingProblem[],
): void {
  const { mode, identifierField, emailFallback } = settings.matching;
  const objectProblem = (
    code: ProblemCode,
    severity: Severity,
    path: string,
    object: PersonObject | null,
    message: string,
  ) => problems.push({ severity, code, message, path, object, mapping: null });
  for (const object of personObjects) {
    if (mode === 'identifier' && identifierField !== null) {
      const field = findField(describe[object], identifierField);
      if (field === undefined) {
        objectProblem(
          'unknown_identifier_field',
          'error',
          'matching.identifierField',
          object,
          `${object} has no field ${identifierField} to match on`,
        );
      } else if (field.type !== 'string' && field.type !== 'email') {
        objectProblem(
          'identifier_field_type',
          'error',
          'matching.identifierField',
          object,
          `${object}.${identifierField} is ${field.type}; only text (string) or email fields can identify people`,
        );
      }
    }
    if (settings.externalIdField !== null) {
      const field = findField(describe[object], settings.externalIdField);
      if (field === undefined) {
        objectProblem(
          'unknown_external_id_field',
          'error',
          'externalIdField',
          object,
          `${object} has no field ${settings.externalIdField}`,
        );
      } else if (!field.externalId) {
        objectProblem(
          'external_id_field_not_external',
          'error',
          'externalIdField',
          object,
          `${object}.${field.name} is not marked External ID in Salesforce, so upserts cannot use it`,
        );
      }
    }
  }
  if (mode === 'identifier' && !emailFallback && settings.leadCreation.enabled) {
    objectProblem(
      'lead_creation_needs_email_fallback',
      'warning',
      'matching.emailFallback',
      null,
      'without the email fallback only Intercom users match and no Leads are created',
    );
  }
}

function validateRequiredLeadFields(
  settings: SyncSettings,
  describe: SalesforceDescribe,
  problems: MappingProblem[],
): void {
  if (!settings.leadCreation.enabled) return;
  const filledByTandem = new Set<string>();
  if (settings.matching.mode === 'identifier' && settings.matching.identifierField !== null) {
    filledByTandem.add(settings.matching.identifierField);
  }
  if (settings.externalIdField !== null) filledByTandem.add(settings.externalIdField);
  for (const field of describe.Lead.fields.filter(isRequiredOnCreate)) {
    if (filledByTandem.has(field.name)) continue;
    const index = settings.mappings.Lead.findIndex((m) => m.salesforce === field.name);
    const mapping = settings.mappings.Lead[index];
    if (mapping === undefined) {
      problems.push({
        severity: 'error',
        code: 'required_lead_field_unmapped',
        message: `Lead.${field.name} is required to create Leads; map an Intercom attribute to it`,
        path: 'mappings.Lead',
        object: 'Lead',
        mapping: null,
      });
    } else if (!writesSalesforce(mapping.direction)) {
      problems.push({
        severity: 'error',
        code: 'required_lead_field_not_sent',
        message: `Lead.${field.name} is required to create Leads, so it must be synced from Intercom to Salesforce`,
        path: `mappings.Lead[${index}]`,
        object: 'Lead',
        mapping,
      });
    }
  }
}
