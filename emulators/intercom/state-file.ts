// The workspace as a file: written by --state-file on close (and on demand), read back at
// start, and accepted as a --seed FILE. One JSON document per line (the header, then one
// record per line as [kind, record]) so that a million contacts never have to fit in one
// string, which V8 caps at about 512 MB.
import { closeSync, createReadStream, openSync, renameSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Workspace } from './state.ts';

const format = 'tandem-intercom-emulator';
const formatVersion = 2;

/** The file's lines, header first. */
export function* serialise(ws: Workspace): Generator<string> {
  yield JSON.stringify({
    format,
    version: formatVersion,
    app: ws.app,
    counters: ws.counterSnapshot(),
  });
  for (const admin of ws.admins.values()) yield JSON.stringify(['admin', admin]);
  for (const team of ws.teams.values()) yield JSON.stringify(['team', team]);
  for (const tag of ws.tags.values()) yield JSON.stringify(['tag', tag]);
  for (const attribute of ws.dataAttributes.values())
    yield JSON.stringify(['attribute', attribute]);
  for (const company of ws.companies.values()) yield JSON.stringify(['company', company]);
  for (const contact of ws.contacts.values()) yield JSON.stringify(['contact', contact]);
  for (const gone of ws.goneContacts.entries()) yield JSON.stringify(['gone', gone]);
  for (const conversation of ws.conversations.values())
    yield JSON.stringify(['conversation', conversation]);
  for (const token of ws.extraTokens) yield JSON.stringify(['token', token]);
}

/** Written to a temporary file and renamed, so a crash never leaves half a state file. */
export function saveStateFile(path: string, ws: Workspace): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    let buffer = '';
    for (const line of serialise(ws)) {
      buffer += line + '\n';
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

export async function loadStateFile(path: string): Promise<Workspace> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let ws: Workspace | undefined;
  for await (const line of lines) {
    if (line === '') continue;
    const parsed: unknown = JSON.parse(line);
    if (ws === undefined) {
      const header = parsed as {
        format?: string;
        version?: number;
        app: Workspace['app'];
        counters: Parameters<Workspace['restoreCounters']>[0];
      };
      if (header.format !== format || header.version !== formatVersion)
        throw new Error(`${path} is not a Tandem Intercom emulator state file (format version 2)`);
      ws = new Workspace(header.app);
      ws.restoreCounters(header.counters);
      continue;
    }
    const [kind, record] = parsed as [string, never];
    switch (kind) {
      case 'admin':
        ws.admins.set((record as { id: string }).id, record);
        break;
      case 'team':
        ws.teams.set((record as { id: string }).id, record);
        break;
      case 'tag':
        ws.tags.set((record as { id: string }).id, record);
        break;
      case 'attribute':
        ws.dataAttributes.set((record as { id: number }).id, record);
        break;
      case 'company':
        ws.putCompany(record);
        break;
      case 'contact':
        ws.putContact(record);
        break;
      case 'gone': {
        const [id, reason] = record as [string, 'merged' | 'deleted'];
        ws.goneContacts.set(id, reason);
        break;
      }
      case 'conversation':
        ws.conversations.set((record as { id: string }).id, record);
        break;
      case 'token':
        ws.extraTokens.add(record);
        break;
      default:
        throw new Error(`${path}: unknown record kind ${String(kind)}`);
    }
  }
  if (ws === undefined) throw new Error(`${path} is empty`);
  return ws;
}
