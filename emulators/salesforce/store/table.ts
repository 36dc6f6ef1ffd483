// The records of one sObject type, in memory, with hash indexes on the fields integrations look
// records up by (Id, Email, unique and external-ID fields), so those lookups never scan.
import type { Field } from '../schema/field.ts';
import type { SObjectType } from '../schema/sobject.ts';

export type Value = string | number | boolean | null;
/** A stored record: canonical field names, wire-format values; absent keys are null. */
export type Row = Record<string, Value>;

export function isIndexed(field: Field): boolean {
  if (field.type === 'id') return false;
  return (
    field.unique ||
    field.externalId ||
    (field.idLookup && (field.type === 'email' || field.type === 'string') && field.name !== 'Name')
  );
}

export function indexKey(field: Field, value: Value): string | null {
  if (value === null || value === '') return null;
  const text = String(value);
  return field.caseSensitive ? text : text.toLowerCase();
}

export class Table {
  readonly type: SObjectType;
  readonly rows = new Map<string, Row>();
  /** Deletion time (ms) of rows in the recycle bin. */
  readonly deletedAt = new Map<string, number>();
  readonly #indexes = new Map<string, Map<string, string | string[]>>();
  #live = 0;

  constructor(type: SObjectType) {
    this.type = type;
    for (const field of type.fields) if (isIndexed(field)) this.#indexes.set(field.name, new Map());
  }

  get liveCount(): number {
    return this.#live;
  }

  /** Starts indexing a field added after the table was built (a seeded custom field). */
  indexField(field: Field): void {
    if (!isIndexed(field) || this.#indexes.has(field.name)) return;
    const index = new Map<string, string | string[]>();
    this.#indexes.set(field.name, index);
    for (const [id, row] of this.rows) {
      if (row['IsDeleted'] === true) continue;
      const key = indexKey(field, row[field.name] ?? null);
      if (key !== null) add(index, key, id);
    }
  }

  isIndexedField(name: string): boolean {
    return this.#indexes.has(name);
  }

  /** Ids of live rows whose field equals the value (case-insensitive unless the field is not). */
  lookup(field: Field, value: Value): string[] {
    const index = this.#indexes.get(field.name);
    if (!index) throw new Error(`${this.type.name}.${field.name} is not indexed`);
    const key = indexKey(field, value);
    if (key === null) return [];
    const hit = index.get(key);
    if (hit === undefined) return [];
    return typeof hit === 'string' ? [hit] : [...hit];
  }

  get(id: string): Row | undefined {
    return this.rows.get(id);
  }

  insert(id: string, row: Row): void {
    this.rows.set(id, row);
    if (row['IsDeleted'] !== true) {
      this.#live++;
      this.#indexRow(id, row, add);
    }
  }

  /** Replaces a row (same id) keeping the indexes right. */
  replace(id: string, next: Row): void {
    const previous = this.rows.get(id);
    if (previous && previous['IsDeleted'] !== true) {
      this.#live--;
      this.#indexRow(id, previous, remove);
    }
    this.rows.set(id, next);
    if (next['IsDeleted'] !== true) {
      this.#live++;
      this.#indexRow(id, next, add);
    }
  }

  /** Removes a row for good (undo of an insert, or a purge). */
  purge(id: string): void {
    const previous = this.rows.get(id);
    if (!previous) return;
    if (previous['IsDeleted'] !== true) {
      this.#live--;
      this.#indexRow(id, previous, remove);
    }
    this.rows.delete(id);
    this.deletedAt.delete(id);
  }

  clear(): void {
    this.rows.clear();
    this.deletedAt.clear();
    for (const index of this.#indexes.values()) index.clear();
    this.#live = 0;
  }

  #indexRow(
    id: string,
    row: Row,
    op: (index: Map<string, string | string[]>, key: string, id: string) => void,
  ): void {
    for (const [name, index] of this.#indexes) {
      const field = this.type.byLower.get(name.toLowerCase());
      if (!field) continue;
      const key = indexKey(field, row[name] ?? null);
      if (key !== null) op(index, key, id);
    }
  }
}

function add(index: Map<string, string | string[]>, key: string, id: string): void {
  const hit = index.get(key);
  if (hit === undefined) index.set(key, id);
  else if (typeof hit === 'string') {
    if (hit !== id) index.set(key, [hit, id]);
  } else if (!hit.includes(id)) hit.push(id);
}

function remove(index: Map<string, string | string[]>, key: string, id: string): void {
  const hit = index.get(key);
  if (hit === undefined) return;
  if (typeof hit === 'string') {
    if (hit === id) index.delete(key);
    return;
  }
  const rest = hit.filter((x) => x !== id);
  if (rest.length === 0) index.delete(key);
  else if (rest.length === 1) index.set(key, rest[0] as string);
  else index.set(key, rest);
}
