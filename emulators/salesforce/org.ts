// The emulated org's state: schema, tables, id factory, clock, users and the change feed.
// Everything the HTTP layer serves reads and writes through this object.
import { IdFactory, canonicalId, keyPrefixOf } from './ids.ts';
import { SchemaRegistry } from './schema/registry.ts';
import type { SObjectType } from './schema/sobject.ts';
import { Table, type Row } from './store/table.ts';
import type { Tx } from './write/tx.ts';

export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  changedFields: string[];
  nulledFields: string[];
  diffFields: string[];
}

export interface ChangeEvent {
  header: ChangeEventHeader;
  /** The field values the event carries (all on create, the changed ones on update). */
  fields: Row;
}

export interface DuplicateRule {
  readonly name: string;
  readonly object: string;
  /** Records match when all these fields are equal (case-insensitive) and not empty. */
  readonly fields: readonly string[];
  /** Block the save, or report it and allow it with the duplicate-rule header. */
  readonly action: 'block' | 'allow';
  active: boolean;
}

export class Org {
  readonly orgId: string;
  readonly schema = new SchemaRegistry();
  readonly tables = new Map<string, Table>();
  ids = new IdFactory();
  readonly duplicateRules: DuplicateRule[] = [];
  readonly now: () => number;
  /** Counters for auto-number fields (CaseNumber). */
  autoNumbers = new Map<string, number>();
  /** The transaction of an all-or-none composite request in progress, if any. */
  ambientTx: Tx | null = null;
  #commitNumber = 0;
  #listeners: ((events: ChangeEvent[]) => void)[] = [];
  #lastStamp = 0;

  constructor(options: { now?: () => number; orgId?: string } = {}) {
    this.now = options.now ?? Date.now;
    this.orgId = options.orgId ?? '00D5g000004TandEAA';
    for (const type of this.schema.all()) this.tables.set(type.name.toLowerCase(), new Table(type));
  }

  table(name: string): Table | undefined {
    return this.tables.get(name.toLowerCase());
  }

  type(name: string): SObjectType | undefined {
    return this.schema.get(name);
  }

  /** The table an id belongs to (by key prefix), with the canonical 18-character id. */
  locate(id: string): { table: Table; id: string; row: Row | undefined } | undefined {
    const canonical = canonicalId(id);
    if (!canonical) return undefined;
    const type = this.schema.byKeyPrefix(keyPrefixOf(canonical));
    if (!type) return undefined;
    const table = this.table(type.name);
    if (!table) return undefined;
    return { table, id: canonical, row: table.get(canonical) };
  }

  /** A strictly increasing timestamp, so that records written in turn sort in turn. */
  stamp(): number {
    const now = this.now();
    this.#lastStamp = now > this.#lastStamp ? now : this.#lastStamp + 1;
    return this.#lastStamp;
  }

  /**
   * The org's present as its records see it: the clock, or the last stamp when a burst of
   * writes (one millisecond apart) has run ahead of the clock.
   */
  present(): number {
    return Math.max(this.now(), this.#lastStamp);
  }

  nextCommitNumber(): number {
    this.#commitNumber += 1;
    return this.#commitNumber;
  }

  onChange(listener: (events: ChangeEvent[]) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  publish(events: ChangeEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.#listeners) listener(events);
  }

  clearRecords(): void {
    for (const table of this.tables.values()) table.clear();
    this.ids = new IdFactory();
    this.autoNumbers.clear();
  }
}
