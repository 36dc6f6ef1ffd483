// Custom attributes a mapping writes to but Intercom does not have yet: created before the
// first write when `createMissingIntercomAttributes` allows it (validation warns that it will).
import {
  compatible,
  findAttribute,
  findField,
  mappableAttributes,
  personObjects,
  writesIntercom,
  type IntercomDataAttribute,
  type IntercomDataType,
  type SalesforceDescribe,
  type SyncSettings,
} from '../core/index.ts';
import type { IntercomConnector } from '../connectors/index.ts';
import { toIntercomDataAttribute } from './mappers.ts';
import { must } from './person-errors.ts';
import type { PersonLedger } from './person-ledger.ts';

/** The Intercom type that holds a Salesforce field's values most naturally. */
export function intercomTypeFor(salesforceType: string): IntercomDataType {
  switch (salesforceType.toLowerCase()) {
    case 'int':
      return 'integer';
    case 'double':
    case 'currency':
    case 'percent':
      return 'float';
    case 'boolean':
      return 'boolean';
    case 'date':
    case 'datetime':
      return 'date';
    default:
      return 'string';
  }
}

const customPrefix = 'custom_attributes.';

/** Creates the missing custom attributes; answers the attributes with the new ones added. */
export async function ensureIntercomAttributes(
  settings: SyncSettings,
  describe: SalesforceDescribe,
  attributes: readonly IntercomDataAttribute[],
  intercom: IntercomConnector,
  ledger: PersonLedger,
): Promise<readonly IntercomDataAttribute[]> {
  if (!settings.createMissingIntercomAttributes) return attributes;
  const known = [...attributes];
  for (const object of personObjects) {
    for (const mapping of settings.mappings[object]) {
      if (!writesIntercom(mapping.direction)) continue;
      if (findAttribute(mappableAttributes(known), mapping.intercom)) continue;
      const field = findField(describe[object], mapping.salesforce);
      if (!field) continue;
      const name = mapping.intercom.startsWith(customPrefix)
        ? mapping.intercom.slice(customPrefix.length)
        : mapping.intercom;
      const dataType = intercomTypeFor(field.type);
      if (name.includes('.') || !compatible(dataType, field.type, mapping.direction)) continue;
      const created = await intercom.createDataAttribute({
        name,
        model: 'contact',
        data_type: dataType,
        description: `Created by Tandem for ${object}.${field.name}`,
      });
      // Another worker may have created it a moment ago: then it is simply there.
      if (!created.ok && created.error.code === 'validation') continue;
      known.push(toIntercomDataAttribute(must('create_attribute', created)));
      await ledger.record('attribute.created', {
        name,
        dataType,
        mapping: { intercom: mapping.intercom, salesforce: mapping.salesforce, object },
      });
    }
  }
  return known;
}
