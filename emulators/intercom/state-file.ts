// The workspace as one JSON document: written by --state-file on close (and on demand), read
// back at start, and accepted as a --seed FILE.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Workspace } from './state.ts';

const formatVersion = 1;

export function serialise(ws: Workspace): string {
  return JSON.stringify({
    format: 'tandem-intercom-emulator',
    version: formatVersion,
    app: ws.app,
    counters: ws.counterSnapshot(),
    admins: [...ws.admins.values()],
    teams: [...ws.teams.values()],
    contacts: [...ws.contacts.values()],
    goneContacts: [...ws.goneContacts.entries()],
    companies: [...ws.companies.values()],
    tags: [...ws.tags.values()],
    dataAttributes: [...ws.dataAttributes.values()],
    conversations: [...ws.conversations.values()],
    tokens: [...ws.extraTokens],
  });
}

export function deserialise(text: string): Workspace {
  const doc = JSON.parse(text) as ReturnType<typeof JSON.parse>;
  if (doc?.format !== 'tandem-intercom-emulator' || doc.version !== formatVersion)
    throw new Error('not a Tandem Intercom emulator state file (format version 1)');
  const ws = new Workspace(doc.app);
  ws.restoreCounters(doc.counters);
  for (const admin of doc.admins) ws.admins.set(admin.id, admin);
  for (const team of doc.teams) ws.teams.set(team.id, team);
  for (const company of doc.companies) ws.putCompany(company);
  for (const contact of doc.contacts) ws.putContact(contact);
  for (const [id, reason] of doc.goneContacts) ws.goneContacts.set(id, reason);
  for (const tag of doc.tags) ws.tags.set(tag.id, tag);
  for (const attribute of doc.dataAttributes) ws.dataAttributes.set(attribute.id, attribute);
  for (const conversation of doc.conversations) ws.conversations.set(conversation.id, conversation);
  for (const token of doc.tokens ?? []) ws.extraTokens.add(token);
  return ws;
}

export function loadStateFile(path: string): Workspace {
  return deserialise(readFileSync(path, 'utf8'));
}

/** Written to a temporary file and renamed, so a crash never leaves half a state file. */
export function saveStateFile(path: string, ws: Workspace): void {
  writeFileSync(`${path}.tmp`, serialise(ws));
  renameSync(`${path}.tmp`, path);
}
