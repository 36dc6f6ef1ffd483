// The save path every API shares (REST, collections, composite, bulk, control plane): field
// checks in the order Salesforce reports them, system fields, derived values, unique values,
// duplicate rules, then the row, its undo and its change event.
import { canonicalId, keyPrefixOf } from '../ids.ts';
import type { ChangeEvent, Org } from '../org.ts';
import type { Field } from '../schema/field.ts';
import type { SObjectType } from '../schema/sobject.ts';
import type { Row, Table, Value } from '../store/table.ts';
import { CoercionError, coerce, formatDateTime } from '../store/values.ts';
import { checkDuplicateRules, checkValue } from './checks.ts';
import { derive } from './derive.ts';
import { fail, type SaveError, type SaveResult } from './errors.ts';
import type { Actor, Tx } from './tx.ts';

const systemOnInsert = [
  'Id',
  'IsDeleted',
  'CreatedDate',
  'CreatedById',
  'LastModifiedDate',
  'LastModifiedById',
  'SystemModstamp',
];

export interface WriteOptions {
  /** Control-plane and seed writes may set read-only fields (IsConverted, ConvertedDate…). */
  readonly trusted?: boolean;
  /** Seed writes emit no change events. */
  readonly silent?: boolean;
}

export type UpsertResult =
  | SaveResult
  | {
      readonly ok: false;
      readonly multiple: readonly string[];
      readonly errors: readonly SaveError[];
    };

interface Prepared {
  readonly values: Map<Field, Value>;
}

export class Writer {
  readonly org: Org;

  constructor(org: Org) {
    this.org = org;
  }

  create(
    tx: Tx,
    actor: Actor,
    typeName: string,
    body: Record<string, unknown>,
    options: WriteOptions = {},
  ): SaveResult {
    const table = this.org.table(typeName);
    if (!table)
      return fail('INVALID_TYPE', `sObject type '${typeName}' is not supported.`, [], {
        status: 400,
      });
    const type = table.type;
    if (
      Object.keys(body).some((k) => k.toLowerCase() === 'id') &&
      body['Id'] != null &&
      !options.trusted
    ) {
      return fail('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
    }
    const prepared = this.#prepare(type, body, 'create', options);
    if ('errors' in prepared) return prepared;
    let stampText: string | null = null;
    const stamp = (): string => (stampText ??= formatDateTime(this.org.stamp()));
    const row: Row = {};
    const id = this.org.ids.next(type.keyPrefix);
    row['Id'] = id;
    row['IsDeleted'] = false;
    for (const [field, value] of prepared.values) if (value !== null) row[field.name] = value;
    if (!options.trusted || row['CreatedDate'] === undefined) row['CreatedDate'] = stamp();
    if (!options.trusted || row['CreatedById'] === undefined) row['CreatedById'] = actor.userId;
    row['LastModifiedDate'] =
      options.trusted && row['LastModifiedDate'] !== undefined
        ? row['LastModifiedDate']
        : (row['CreatedDate'] ?? stamp());
    row['LastModifiedById'] = row['CreatedById'] ?? actor.userId;
    row['SystemModstamp'] = row['LastModifiedDate'] ?? stamp();
    if (type.field('OwnerId') && row['OwnerId'] === undefined) row['OwnerId'] = actor.userId;
    this.#applyDefaults(type, row);
    const missing = this.#missingRequired(type, row);
    if (missing.length > 0) {
      return fail(
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    }
    const picklistError = this.#checkRecordTypePicklists(
      type,
      row,
      new Set(prepared.values.keys()),
    );
    if (picklistError) return picklistError;
    derive(this.org, type.name, row, new Set(Object.keys(row)), true);
    const conflict =
      this.#checkUnique(table, row, id) ??
      checkDuplicateRules(this.org, (t, f, v) => this.findBy(t, f, v), table, row, id, actor);
    if (conflict) return conflict;
    table.insert(id, row);
    tx.onUndo(() => table.purge(id));
    if (!options.silent) {
      const fields: Row = {};
      for (const [name, value] of Object.entries(row))
        if (name !== 'Id' && name !== 'IsDeleted') fields[name] = value;
      tx.emit(this.#event(type, 'CREATE', id, actor, Object.keys(fields), [], fields));
    }
    return { ok: true, id, created: true };
  }

  update(
    tx: Tx,
    actor: Actor,
    typeName: string | undefined,
    rawId: string,
    body: Record<string, unknown>,
    options: WriteOptions = {},
  ): SaveResult {
    const found = this.#find(typeName, rawId);
    if ('errors' in found) return found;
    const { table, id, row: previous } = found;
    const type = table.type;
    if (previous['IsDeleted'] === true)
      return fail('ENTITY_IS_DELETED', 'entity is deleted', [], { status: 404 });
    if (type.name === 'Lead' && previous['IsConverted'] === true && !options.trusted) {
      return fail('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', []);
    }
    const { Id: _ignored, id: _ignored2, ...rest } = body;
    const prepared = this.#prepare(type, rest, 'update', options);
    if ('errors' in prepared) return prepared;
    const row: Row = { ...previous };
    const changedNames = new Set<string>();
    for (const [field, value] of prepared.values) {
      if ((previous[field.name] ?? null) === value) continue;
      if (value === null) delete row[field.name];
      else row[field.name] = value;
      changedNames.add(field.name);
    }
    const missing = this.#missingRequired(type, row);
    if (missing.length > 0) {
      return fail(
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    }
    const picklistError = this.#checkRecordTypePicklists(type, row, changedNames);
    if (picklistError) return picklistError;
    const stamp = formatDateTime(this.org.stamp());
    row['LastModifiedDate'] = stamp;
    row['LastModifiedById'] = actor.userId;
    row['SystemModstamp'] = stamp;
    for (const name of derive(this.org, type.name, row, changedNames, false))
      changedNames.add(name);
    const conflict =
      this.#checkUnique(table, row, id) ??
      checkDuplicateRules(
        this.org,
        (t, f, v) => this.findBy(t, f, v),
        table,
        row,
        id,
        actor,
        changedNames,
      );
    if (conflict) return conflict;
    table.replace(id, row);
    tx.onUndo(() => table.replace(id, previous));
    if (!options.silent) {
      const fields: Row = {};
      const nulled: string[] = [];
      for (const name of changedNames) {
        fields[name] = row[name] ?? null;
        if (row[name] === undefined) nulled.push(name);
      }
      fields['LastModifiedDate'] = stamp;
      fields['LastModifiedById'] = actor.userId;
      fields['SystemModstamp'] = stamp;
      const changed = [...changedNames, 'LastModifiedDate'];
      tx.emit(this.#event(type, 'UPDATE', id, actor, changed, nulled, fields));
    }
    return { ok: true, id, created: false };
  }

  upsert(
    tx: Tx,
    actor: Actor,
    typeName: string,
    fieldName: string,
    value: string,
    body: Record<string, unknown>,
  ): UpsertResult {
    const table = this.org.table(typeName);
    if (!table)
      return fail('NOT_FOUND', 'The requested resource does not exist', [], { status: 404 });
    const field = table.type.field(fieldName);
    if (!field || !(field.externalId || field.idLookup)) {
      return fail(
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${fieldName}`,
        [],
        { status: 404 },
      );
    }
    const matches = this.findBy(table, field, value);
    if (matches.length > 1) {
      return {
        ok: false,
        multiple: matches,
        errors: [
          { code: 'MULTIPLE_CHOICES', message: 'Multiple records found', fields: [], status: 300 },
        ],
      };
    }
    const rest: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(body))
      if (key.toLowerCase() !== field.name.toLowerCase()) rest[key] = v;
    if (matches.length === 1)
      return this.update(tx, actor, table.type.name, matches[0] as string, rest);
    if (field.type === 'id')
      return fail('NOT_FOUND', 'The requested resource does not exist', [], { status: 404 });
    return this.create(tx, actor, table.type.name, { ...rest, [field.name]: value });
  }

  delete(
    tx: Tx,
    actor: Actor,
    typeName: string | undefined,
    rawId: string,
    options: WriteOptions = {},
  ): SaveResult {
    const found = this.#find(typeName, rawId);
    if ('errors' in found) return found;
    const { table, id, row: previous } = found;
    if (previous['IsDeleted'] === true)
      return fail('ENTITY_IS_DELETED', 'entity is deleted', [], { status: 404 });
    const now = this.org.stamp();
    const stamp = formatDateTime(now);
    const row: Row = {
      ...previous,
      IsDeleted: true,
      SystemModstamp: stamp,
      LastModifiedDate: stamp,
      LastModifiedById: actor.userId,
    };
    if (options.trusted && previous['MasterRecordId'] === undefined) delete row['MasterRecordId'];
    table.replace(id, row);
    table.deletedAt.set(id, now);
    tx.onUndo(() => {
      table.replace(id, previous);
      table.deletedAt.delete(id);
    });
    if (!options.silent) tx.emit(this.#event(table.type, 'DELETE', id, actor, [], [], {}));
    return { ok: true, id, created: false };
  }

  /** Brings a record back from the recycle bin (UNDELETE change event with every field). */
  undelete(tx: Tx, actor: Actor, rawId: string): SaveResult {
    const found = this.#find(undefined, rawId);
    if ('errors' in found) return found;
    const { table, id, row: previous } = found;
    if (previous['IsDeleted'] !== true)
      return fail('UNDELETE_FAILED', 'Entity is not in the recycle bin', []);
    const stamp = formatDateTime(this.org.stamp());
    const row: Row = {
      ...previous,
      IsDeleted: false,
      SystemModstamp: stamp,
      LastModifiedDate: stamp,
      LastModifiedById: actor.userId,
    };
    const conflict = this.#checkUnique(table, row, id);
    if (conflict) return conflict;
    const deletedAt = table.deletedAt.get(id);
    table.replace(id, row);
    table.deletedAt.delete(id);
    tx.onUndo(() => {
      table.replace(id, previous);
      if (deletedAt !== undefined) table.deletedAt.set(id, deletedAt);
    });
    const fields: Row = {};
    for (const [name, value] of Object.entries(row))
      if (name !== 'Id' && name !== 'IsDeleted') fields[name] = value;
    tx.emit(this.#event(table.type, 'UNDELETE', id, actor, [], [], fields));
    return { ok: true, id, created: false };
  }

  /** Marks a deleted record as merged into a master (control-plane merge). */
  setMaster(id: string, typeName: string, masterId: string): void {
    const table = this.org.table(typeName);
    const row = table?.get(id);
    if (table && row) table.replace(id, { ...row, MasterRecordId: masterId });
  }

  /** Live ids of records whose field equals the value, by index when the field has one. */
  findBy(table: Table, field: Field, value: Value): string[] {
    if (field.type === 'id') {
      const id = typeof value === 'string' ? canonicalId(value) : null;
      const row = id ? table.get(id) : undefined;
      return id && row && row['IsDeleted'] !== true ? [id] : [];
    }
    if (table.isIndexedField(field.name)) return table.lookup(field, value);
    const wanted = String(value).toLowerCase();
    const ids: string[] = [];
    for (const [id, row] of table.rows) {
      if (row['IsDeleted'] === true) continue;
      const v = row[field.name];
      if (v !== undefined && v !== null && String(v).toLowerCase() === wanted) ids.push(id);
    }
    return ids;
  }

  #find(
    typeName: string | undefined,
    rawId: string,
  ): { table: Table; id: string; row: Row } | { ok: false; errors: SaveError[] } {
    const id = canonicalId(rawId);
    const table = typeName ? this.org.table(typeName) : id ? this.org.locate(id)?.table : undefined;
    if (!id) {
      const label = table ? `${table.type.label} ID` : 'Record ID';
      return {
        ok: false,
        errors: [
          {
            code: 'MALFORMED_ID',
            message: `${label}: id value of incorrect type: ${rawId}`,
            fields: ['Id'],
            status: 400,
          },
        ],
      };
    }
    if (!table || keyPrefixOf(id) !== table.type.keyPrefix) {
      if (table) {
        return {
          ok: false,
          errors: [
            {
              code: 'MALFORMED_ID',
              message: `${table.type.label} ID: id value of incorrect type: ${rawId}`,
              fields: ['Id'],
              status: 400,
            },
          ],
        };
      }
      return {
        ok: false,
        errors: [
          {
            code: 'INVALID_CROSS_REFERENCE_KEY',
            message: 'invalid cross reference id',
            fields: [],
            status: 400,
          },
        ],
      };
    }
    const row = table.get(id);
    if (!row)
      return {
        ok: false,
        errors: [
          {
            code: 'NOT_FOUND',
            message: 'The requested resource does not exist',
            fields: [],
            status: 404,
          },
        ],
      };
    return { table, id, row };
  }

  #prepare(
    type: SObjectType,
    body: Record<string, unknown>,
    mode: 'create' | 'update',
    options: WriteOptions,
  ): Prepared | { ok: false; errors: SaveError[] } {
    const values = new Map<Field, Value>();
    const readOnly: string[] = [];
    for (const [key, raw] of Object.entries(body)) {
      if (key === 'attributes') continue;
      const field = type.field(key);
      if (!field) {
        return {
          ok: false,
          errors: [
            {
              code: 'INVALID_FIELD',
              message: `No such column '${key}' on sobject of type ${type.name}`,
              fields: [],
            },
          ],
        };
      }
      if (!options.trusted) {
        const writable = mode === 'create' ? field.createable : field.updateable;
        if (!writable || systemOnInsert.includes(field.name)) {
          readOnly.push(field.name);
          continue;
        }
      }
      let value: Value;
      try {
        value = coerce(field, raw);
      } catch (error) {
        if (error instanceof CoercionError)
          return {
            ok: false,
            errors: [{ code: 'JSON_PARSER_ERROR', message: error.message, fields: [] }],
          };
        throw error;
      }
      values.set(field, value);
    }
    if (readOnly.length > 0) {
      return {
        ok: false,
        errors: [
          {
            code: 'INVALID_FIELD_FOR_INSERT_UPDATE',
            message: `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
            fields: readOnly,
          },
        ],
      };
    }
    for (const [field, value] of values) {
      const error = checkValue(this.org, type, field, value);
      if (error) return { ok: false, errors: [error] };
      if (value !== null && (field.type === 'reference' || field.type === 'id'))
        values.set(field, canonicalId(String(value)) ?? value);
    }
    return { values };
  }

  #applyDefaults(type: SObjectType, row: Row): void {
    const recordType = type.hasRecordTypes()
      ? row['RecordTypeId'] !== undefined
        ? type.recordTypes.find((rt) => rt.id === row['RecordTypeId'])
        : type.defaultRecordType()
      : undefined;
    if (recordType && !recordType.master && row['RecordTypeId'] === undefined)
      row['RecordTypeId'] = recordType.id;
    const groups = type.groups();
    for (const field of groups.defaulted) {
      if (row[field.name] !== undefined) continue;
      const rtDefault = recordType?.defaults[field.name];
      if (rtDefault !== undefined) row[field.name] = rtDefault;
      else if (field.defaultedOnCreate && field.defaultPicklistValue !== null)
        row[field.name] = field.defaultPicklistValue;
      else if (field.type === 'boolean') row[field.name] = field.defaultValue === true;
    }
    for (const field of groups.booleans) {
      if (row[field.name] === undefined) row[field.name] = field.defaultValue === true;
    }
    if (recordType) {
      for (const [name, value] of Object.entries(recordType.defaults)) {
        const field = type.field(name);
        if (field && row[field.name] === undefined) row[field.name] = value;
      }
    }
  }

  #missingRequired(type: SObjectType, row: Row): string[] {
    const missing: string[] = [];
    for (const field of type.groups().required) {
      const v = row[field.name];
      if (v === undefined || v === null || v === '') missing.push(field.name);
    }
    return missing;
  }

  /** Record types scope picklist values; a value outside the record type's set is refused. */
  #checkRecordTypePicklists(
    type: SObjectType,
    row: Row,
    changed: ReadonlySet<Field> | ReadonlySet<string>,
  ): SaveResult | null {
    if (!type.hasRecordTypes()) return null;
    const rt = type.recordTypes.find((r) => r.id === row['RecordTypeId']);
    if (!rt) return null;
    const changedNames = new Set([...changed].map((c) => (typeof c === 'string' ? c : c.name)));
    for (const [fieldName, allowed] of Object.entries(rt.picklists)) {
      const field = type.field(fieldName);
      const value = row[field?.name ?? fieldName];
      if (!field || value === undefined || value === null) continue;
      if (!changedNames.has(field.name) && !changedNames.has('RecordTypeId')) continue;
      if (!allowed.includes(String(value))) {
        return fail(
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${field.label}: bad value for restricted picklist field: ${String(value)}`,
          [field.name],
        );
      }
    }
    return null;
  }

  #checkUnique(table: Table, row: Row, id: string): SaveResult | null {
    for (const field of table.type.groups().unique) {
      const value = row[field.name];
      if (value === undefined || value === null) continue;
      const other = this.findBy(table, field, value).find((x) => x !== id);
      if (other) {
        return fail(
          'DUPLICATE_VALUE',
          `duplicate value found: ${field.name} duplicates value on record with id: ${other.slice(0, 15)}`,
          [],
        );
      }
    }
    return null;
  }

  #event(
    type: SObjectType,
    changeType: ChangeEvent['header']['changeType'],
    id: string,
    actor: Actor,
    changed: string[],
    nulled: string[],
    fields: Row,
  ): ChangeEvent {
    return {
      header: {
        entityName: type.name,
        recordIds: [id],
        changeType,
        changeOrigin: actor.origin,
        transactionKey: '',
        sequenceNumber: 0,
        commitTimestamp: 0,
        commitNumber: 0,
        commitUser: actor.userId,
        changedFields: changeType === 'UPDATE' ? changed : [],
        nulledFields: nulled,
        diffFields: [],
      },
      fields,
    };
  }
}
