// The optional snapshot file: a restarted emulator keeps its records, ids, customisations and
// API usage. Written atomically (temp file, then rename).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Org } from './org.ts';
import type { FieldJson } from './schema/field.ts';
import type { RecordTypeInfo } from './schema/sobject.ts';
import type { Row } from './store/table.ts';

interface Snapshot {
  readonly format: 'tandem-salesforce-emulator/1';
  readonly savedAt: string;
  readonly ids: Record<string, number>;
  readonly autoNumbers: Record<string, number>;
  readonly apiUsed: number;
  readonly duplicateRules: Org['duplicateRules'];
  readonly objects: Record<
    string,
    {
      fields: FieldJson[];
      recordTypes: RecordTypeInfo[];
      rows: Row[];
      deletedAt: Record<string, number>;
    }
  >;
}

export function saveState(org: Org, path: string, apiUsed: number): void {
  const objects: Snapshot['objects'] = {};
  for (const table of org.tables.values()) {
    objects[table.type.name] = {
      fields: table.type.addedFields,
      recordTypes: table.type.recordTypes.filter((rt) => !rt.master && !isRecorded(rt.id)),
      rows: [...table.rows.values()],
      deletedAt: Object.fromEntries(table.deletedAt),
    };
  }
  const snapshot: Snapshot = {
    format: 'tandem-salesforce-emulator/1',
    savedAt: new Date(org.now()).toISOString(),
    ids: org.ids.snapshot(),
    autoNumbers: Object.fromEntries(org.autoNumbers),
    apiUsed,
    duplicateRules: org.duplicateRules,
    objects,
  };
  const temp = `${path}.tmp`;
  writeFileSync(temp, JSON.stringify(snapshot));
  renameSync(temp, path);
}

// Record types of the recorded describes (Account's Household) are part of the schema already.
function isRecorded(id: string): boolean {
  return !/^0125g0/.test(id);
}

/** Loads a snapshot into a fresh org; false when there is no file. Returns the API usage. */
export function loadState(org: Org, path: string): { apiUsed: number } | null {
  if (!existsSync(path)) return null;
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  if (snapshot.format !== 'tandem-salesforce-emulator/1')
    throw new Error(`${path}: not a Salesforce emulator state file`);
  org.clearRecords();
  for (const [name, saved] of Object.entries(snapshot.objects)) {
    const table = org.table(name);
    if (!table) continue;
    for (const json of saved.fields) {
      if (!table.type.field(json.name)) table.indexField(table.type.addField(json));
    }
    for (const rt of saved.recordTypes) {
      if (!table.type.recordTypes.some((r) => r.id === rt.id)) table.type.addRecordType({ ...rt });
    }
    for (const row of saved.rows) table.insert(String(row['Id']), row);
    for (const [id, at] of Object.entries(saved.deletedAt)) table.deletedAt.set(id, at);
  }
  org.ids.restore(snapshot.ids);
  org.autoNumbers = new Map(Object.entries(snapshot.autoNumbers));
  org.duplicateRules.splice(0, org.duplicateRules.length, ...snapshot.duplicateRules);
  return { apiUsed: snapshot.apiUsed };
}
