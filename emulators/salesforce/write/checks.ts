// Field-level checks of the save path: values (length, email, restricted picklists, references)
// and duplicate rules. Each answers the SaveError Salesforce would, or null.
import { canonicalId, keyPrefixOf } from '../ids.ts';
import type { Org } from '../org.ts';
import type { Field } from '../schema/field.ts';
import type { SObjectType } from '../schema/sobject.ts';
import type { Row, Table, Value } from '../store/table.ts';
import { isValidEmail } from '../store/values.ts';
import { fail, type SaveError, type SaveResult } from './errors.ts';
import type { Actor } from './tx.ts';

export function checkValue(
  org: Org,
  type: SObjectType,
  field: Field,
  value: Value,
): SaveError | null {
  if (value === null) return null;
  if (
    typeof value === 'string' &&
    field.length > 0 &&
    field.type !== 'reference' &&
    field.type !== 'id' &&
    value.length > field.length &&
    [...value].length > field.length
  ) {
    return {
      code: 'STRING_TOO_LONG',
      message: `${field.label}: data value too large: ${value} (max length=${field.length})`,
      fields: [field.name],
    };
  }
  if (field.type === 'email' && !isValidEmail(String(value))) {
    return {
      code: 'INVALID_EMAIL_ADDRESS',
      message: `${field.label}: invalid email address: ${String(value)}`,
      fields: [field.name],
    };
  }
  if ((field.type === 'picklist' || field.type === 'multipicklist') && field.restrictedPicklist) {
    const parts = field.type === 'multipicklist' ? String(value).split(';') : [String(value)];
    const bad = parts.find((p) => !field.picklistValues.includes(p));
    if (bad !== undefined) {
      return {
        code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        message: `${field.label}: bad value for restricted picklist field: ${bad}`,
        fields: [field.name],
      };
    }
  }
  if (field.type === 'reference') return checkReference(org, type, field, String(value));
  return null;
}

export function checkReference(
  org: Org,
  type: SObjectType,
  field: Field,
  value: string,
): SaveError | null {
  const id = canonicalId(value);
  const incorrect: SaveError = {
    code: 'MALFORMED_ID',
    message: `${field.label}: id value of incorrect type: ${value}`,
    fields: [field.name],
  };
  if (!id) return incorrect;
  const emulatedTargets = field.referenceTo.filter((t) => org.type(t));
  if (emulatedTargets.length === 0) return null;
  const target = org.schema.byKeyPrefix(keyPrefixOf(id));
  // An id that parses but names another object: FIELD_INTEGRITY_EXCEPTION, with the same words.
  const otherObject: SaveError = { ...incorrect, code: 'FIELD_INTEGRITY_EXCEPTION' };
  if (!target) return emulatedTargets.length < field.referenceTo.length ? null : otherObject;
  if (!field.referenceTo.includes(target.name)) return otherObject;
  const row = org.table(target.name)?.get(id);
  if (field.name === 'RecordTypeId') {
    if (
      !row ||
      row['IsDeleted'] === true ||
      row['SobjectType'] !== type.name ||
      row['IsActive'] === false
    ) {
      return {
        code: 'INVALID_CROSS_REFERENCE_KEY',
        message: `Record Type ID: this ID value isn't valid for the user: ${value}`,
        fields: [field.name],
      };
    }
    return null;
  }
  if (!row || row['IsDeleted'] === true) {
    return {
      code: 'INVALID_CROSS_REFERENCE_KEY',
      message: 'invalid cross reference id',
      fields: [],
    };
  }
  return null;
}

export function checkDuplicateRules(
  org: Org,
  findBy: (table: Table, field: Field, value: Value) => string[],
  table: Table,
  row: Row,
  id: string,
  actor: Actor,
  changed?: ReadonlySet<string>,
): SaveResult | null {
  for (const rule of org.duplicateRules) {
    if (!rule.active || rule.object.toLowerCase() !== table.type.name.toLowerCase()) continue;
    if (changed && !rule.fields.some((f) => changed.has(f))) continue;
    const values = rule.fields.map((f) => row[f]);
    if (values.some((v) => v === undefined || v === null || v === '')) continue;
    const first = table.type.field(rule.fields[0] ?? '');
    if (!first) continue;
    const matches = findBy(table, first, values[0] ?? null).filter((other) => {
      if (other === id) return false;
      const r = table.get(other);
      return (
        !!r &&
        rule.fields.every(
          (f, i) => String(r[f] ?? '').toLowerCase() === String(values[i]).toLowerCase(),
        )
      );
    });
    if (matches.length === 0) continue;
    if (rule.action === 'allow' && actor.allowDuplicateSave) continue;
    const version = '59.0';
    return fail('DUPLICATES_DETECTED', 'Use one of these records?', [], {
      extra: {
        duplicateResult: {
          allowSave: rule.action === 'allow',
          duplicateRule: rule.name,
          duplicateRuleEntityType: table.type.name,
          errorMessage:
            "You're creating a duplicate record. We recommend you use an existing record instead.",
          matchResults: [
            {
              entityType: table.type.name,
              errors: [],
              matchEngine: 'ExactMatchEngine',
              matchRecords: matches.map((other) => ({
                additionalInformation: [],
                fieldDiffs: [],
                matchConfidence: 100,
                record: {
                  attributes: {
                    type: table.type.name,
                    url: `/services/data/v${version}/sobjects/${table.type.name}/${other}`,
                  },
                  Id: other,
                },
              })),
              rule: `${rule.name}_Matching`,
              size: matches.length,
              success: true,
            },
          ],
        },
      },
    });
  }
  return null;
}
