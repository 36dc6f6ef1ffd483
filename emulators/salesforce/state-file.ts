// The optional snapshot file: a restarted emulator keeps its records, ids, customisations and
// API usage. JSON Lines (a header line, then one line per record), written row by row to a
// temporary file then renamed, so a big org never needs one giant string and a crash mid-write
// leaves the previous snapshot intact.
import { closeSync, createReadStream, existsSync, openSync, renameSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Org } from './org.ts';
import type { FieldJson } from './schema/field.ts';
import type { RecordTypeInfo } from './schema/sobject.ts';
import type { Row } from './store/table.ts';

const format = 'tandem-salesforce-emulator/2';

interface Header {
  readonly format: typeof format;
  readonly savedAt: string;
  readonly ids: Record<string, number>;
  readonly autoNumbers: Record<string, number>;
  readonly apiUsed: number;
  readonly duplicateRules: Org['duplicateRules'];
  readonly objects: Record<string, { fields: FieldJson[]; recordTypes: RecordTypeInfo[] }>;
}

interface RecordLine {
  /** Object name. */
  readonly o: string;
  readonly r: Row;
  /** Deletion time (ms) of a record in the recycle bin. */
  readonly d?: number;
}

// Record types of the recorded describes (Account's Household) are part of the schema already.
function isRecorded(id: string): boolean {
  return !/^0125g0/.test(id);
}

export function saveState(org: Org, path: string, apiUsed: number): void {
  const objects: Header['objects'] = {};
  for (const table of org.tables.values()) {
    objects[table.type.name] = {
      fields: table.type.addedFields,
      recordTypes: table.type.recordTypes.filter((rt) => !rt.master && !isRecorded(rt.id)),
    };
  }
  const header: Header = {
    format,
    savedAt: new Date(org.now()).toISOString(),
    ids: org.ids.snapshot(),
    autoNumbers: Object.fromEntries(org.autoNumbers),
    apiUsed,
    duplicateRules: org.duplicateRules,
    objects,
  };
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, `${JSON.stringify(header)}\n`);
    let buffer = '';
    for (const table of org.tables.values()) {
      for (const [id, row] of table.rows) {
        const deletedAt = table.deletedAt.get(id);
        const line: RecordLine =
          deletedAt === undefined
            ? { o: table.type.name, r: row }
            : { o: table.type.name, r: row, d: deletedAt };
        buffer += `${JSON.stringify(line)}\n`;
        if (buffer.length > 1 << 20) {
          writeSync(fd, buffer);
          buffer = '';
        }
      }
    }
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Loads a snapshot into a fresh org; null when there is no file. Returns the API usage. */
export async function loadState(org: Org, path: string): Promise<{ apiUsed: number } | null> {
  if (!existsSync(path)) return null;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let header: Header | null = null;
  org.clearRecords();
  for await (const text of lines) {
    if (text === '') continue;
    if (header === null) {
      header = JSON.parse(text) as Header;
      if (header.format !== format)
        throw new Error(`${path}: not a Salesforce emulator state file`);
      for (const [name, saved] of Object.entries(header.objects)) {
        const table = org.table(name);
        if (!table) continue;
        for (const json of saved.fields) {
          if (!table.type.field(json.name)) table.indexField(table.type.addField(json));
        }
        for (const rt of saved.recordTypes) {
          if (!table.type.recordTypes.some((r) => r.id === rt.id))
            table.type.addRecordType({ ...rt });
        }
      }
      continue;
    }
    const line = JSON.parse(text) as RecordLine;
    const table = org.table(line.o);
    if (!table) continue;
    table.insert(String(line.r['Id']), line.r);
    if (line.d !== undefined) table.deletedAt.set(String(line.r['Id']), line.d);
  }
  if (!header) throw new Error(`${path}: empty state file`);
  org.ids.restore(header.ids);
  org.autoNumbers = new Map(Object.entries(header.autoNumbers));
  org.duplicateRules.splice(0, org.duplicateRules.length, ...header.duplicateRules);
  return { apiUsed: header.apiUsed };
}
