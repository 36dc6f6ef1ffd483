import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseSettings, type SettingsInput } from '../../src/core/index.ts';
import { createIntercomConnector } from '../../src/connectors/index.ts';
import { PlanWriteError, readOnlyIntercom } from '../../src/sync/plan.ts';
import { readSyncSettings, writeSyncSettings } from '../../src/sync/settings-service.ts';
import { writesOf } from '../sync/support.ts';
import {
  control,
  intercomApi,
  intercomTokenArgs,
  salesforcePasswordArgs,
  startEmulators,
  Workspace,
  type Emulators,
} from './support.ts';

let emulators: Emulators;
let workspace: Workspace;
const ids: Record<string, string> = {};

const settings: SettingsInput = {
  mappings: {
    Contact: [
      { intercom: 'email', salesforce: 'Email', direction: 'to_salesforce' },
      { intercom: 'plan', salesforce: 'Plan__c', direction: 'to_salesforce' },
    ],
  },
  // Intercom leads become Salesforce Leads; users only when they match someone.
  leadCreation: { threshold: { roles: ['lead'] } },
};

const intercom = (path: string, body?: unknown) => intercomApi(emulators.intercom, path, body);

before(async () => {
  emulators = await startEmulators();
  const seeded = (await control(emulators.salesforce.url, 'seed', {
    customFields: [
      { object: 'Lead', name: 'Plan__c', type: 'string', length: 80 },
      { object: 'Contact', name: 'Plan__c', type: 'string', length: 80 },
    ],
    records: {
      Contact: [{ '@ref': 'ada', LastName: 'Lovelace', Email: 'ada@example.com', Plan__c: 'free' }],
    },
  })) as { refs: Record<string, string> };
  ids['sfAda'] = seeded.refs['ada']!;
  await intercom('/data_attributes', { name: 'plan', model: 'contact', data_type: 'string' });
  const people = {
    ada: { role: 'user', email: 'ada@example.com', custom_attributes: { plan: 'pro' } },
    newLead: { role: 'lead', email: 'new.person@example.com' },
    casual: { role: 'user', email: 'casual@example.com' },
  };
  for (const [name, body] of Object.entries(people))
    ids[name] = String((await intercom('/contacts', body))['id']);
  workspace = new Workspace();
  for (const args of [
    salesforcePasswordArgs(emulators.salesforce),
    intercomTokenArgs(emulators.intercom),
  ]) {
    const result = await workspace.run(args);
    assert.equal(result.code, 0, result.stderr);
  }
  await workspace.withStore(async (store) => {
    const parsed = parseSettings(settings);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const current = await readSyncSettings(store.settings);
    await writeSyncSettings(store.settings, parsed.settings, 'test', current.version);
  });
});
after(async () => {
  await emulators.close();
});

/** Calls that change records; Intercom's search is a POST that only reads. */
const writes = (calls: Record<string, number>): number =>
  writesOf(Object.fromEntries(Object.entries(calls).filter(([e]) => !e.includes('/search'))));

/** Everything a plan must leave as it was: both emulators' records and writes, and the store. */
async function snapshot(): Promise<unknown> {
  const stats = async (url: string) =>
    (await control(url, 'stats')) as { calls: Record<string, number> };
  const [sfStats, icStats] = await Promise.all([
    stats(emulators.salesforce.url),
    stats(emulators.intercom.url),
  ]);
  const records = await Promise.all(
    ['Lead', 'Contact'].map((object) => control(emulators.salesforce.url, `records/${object}`)),
  );
  const contacts = await intercom('/contacts?per_page=150');
  const store = await workspace.withStore(async (s) => ({
    links: await s.links.list({ limit: 10_000 }),
    events: await s.events.list({ limit: 10_000 }),
    credentials: await s.credentials.names(),
    settings: (await s.settings.get('sync'))?.version,
  }));
  return {
    salesforceWrites: writes(sfStats.calls),
    intercomWrites: writes(icStats.calls),
    records,
    contacts: contacts['data'],
    store,
  };
}

const lineOf = (stdout: string, ...parts: RegExp[]) =>
  stdout.split('\n').find((line) => parts.every((part) => part.test(line)));

describe('tandem plan', () => {
  it('shows the counts, then a Lead to create with its fallbacks, a match, an update and a threshold skip, and writes nothing', async () => {
    const before = await snapshot();
    const result = await workspace.run(['plan']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /^Dry run: nothing was written\. 3 people planned\./);
    assert.match(out, /\n\s+1 {2}matched \(a new link\)/);
    assert.match(out, /\n\s+1 {2}Lead to create/);
    assert.match(out, /\n\s+1 {2}with updates/);
    assert.ok(out.indexOf('Lead to create') < out.indexOf('PERSON'), 'counts come first');
    assert.ok(
      lineOf(
        out,
        /new\.person@example\.com/,
        /create Lead/,
        /LastName/,
        /fallback: email_local_part/,
      ),
      out,
    );
    assert.ok(
      lineOf(
        out,
        /new\.person@example\.com/,
        /create Lead/,
        /Company/,
        /\[not provided\]/,
        /fallback: placeholder/,
      ),
      out,
    );
    assert.ok(
      lineOf(
        out,
        /ada@example\.com/,
        new RegExp(`Contact:${ids['sfAda']}`),
        /match Contact/,
        /email/,
      ),
      out,
    );
    assert.ok(lineOf(out, /ada@example\.com/, /update Contact/, /Plan__c/, /free → pro/), out);
    assert.ok(lineOf(out, /casual@example\.com/, /skip: threshold/, /role user/), out);
    assert.deepEqual(await snapshot(), before);
  });

  it('answers one JSON document whose rows carry old and new values, and writes nothing', async () => {
    const before = await snapshot();
    const result = await workspace.run(['plan', '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as {
      rows: Record<string, unknown>[];
      summary: Record<string, unknown>;
    };
    assert.equal(parsed.summary['people'], 3);
    const update = parsed.rows.find((r) => r['action'] === 'update');
    assert.deepEqual(
      update && [
        update['intercomId'],
        update['salesforce'],
        update['field'],
        update['old'],
        update['new'],
      ],
      [ids['ada'], `Contact:${ids['sfAda']}`, 'Plan__c', 'free', 'pro'],
    );
    const match = parsed.rows.find((r) => r['action'] === 'match');
    assert.equal(match?.['target'], 'Contact');
    const skip = parsed.rows.find((r) => r['intercomId'] === ids['casual']);
    assert.equal(skip?.['reason'], 'threshold');
    assert.deepEqual(await snapshot(), before);
  });

  it('answers CSV with a header and one parseable line per row', async () => {
    const result = await workspace.run(['plan', '--format', 'csv']);
    assert.equal(result.code, 0, result.stderr);
    const [header, ...lines] = result.stdout.split('\n');
    const columns = header!.split(',');
    assert.deepEqual(columns.slice(0, 5), [
      'source',
      'intercomId',
      'email',
      'salesforce',
      'action',
    ]);
    const rows = lines.map((line) => parseCsvLine(line));
    for (const row of rows) assert.equal(row.length, columns.length, JSON.stringify(row));
    const at = (name: string) => columns.indexOf(name);
    const creates = rows.filter((r) => r[at('action')] === 'create');
    assert.deepEqual(creates.map((r) => r[at('field')]).sort(), ['Company', 'Email', 'LastName']);
    assert.ok(creates.every((r) => r[at('salesforce')] === 'Lead:(new)'));
  });

  it('plans only the objects and the direction asked for', async () => {
    const contactsOnly = await workspace.run(['plan', '--objects', 'contacts', '--format', 'json']);
    assert.equal(contactsOnly.code, 0, contactsOnly.stderr);
    const rows = (JSON.parse(contactsOnly.stdout) as { rows: Record<string, unknown>[] }).rows;
    assert.ok(rows.length > 0);
    assert.ok(rows.every((r) => r['action'] !== 'create'));
    const towardsIntercom = await workspace.run([
      'plan',
      '--direction',
      'to_intercom',
      '--format',
      'json',
    ]);
    assert.equal(towardsIntercom.code, 0, towardsIntercom.stderr);
    const parsed = JSON.parse(towardsIntercom.stdout) as {
      rows: Record<string, unknown>[];
      summary: Record<string, number>;
    };
    // One Salesforce Contact: it matches Ada; every mapping goes to Salesforce, so no writes.
    assert.equal(parsed.summary['people'], 1);
    assert.ok(parsed.rows.every((r) => r['source'] === 'salesforce' && r['action'] !== 'update'));
    const limited = await workspace.run(['plan', '--limit', '1', '--format', 'json']);
    assert.equal((JSON.parse(limited.stdout) as { summary: { people: number } }).summary.people, 1);
  });

  it('plans through connectors that refuse every write and still read', async () => {
    const intercom = readOnlyIntercom(
      createIntercomConnector({
        baseUrl: emulators.intercom.url,
        accessToken: emulators.intercom.credentials.accessToken,
      }),
    );
    assert.throws(() => intercom.updateContact(ids['ada']!, { name: 'X' }), PlanWriteError);
    assert.throws(() => intercom.createContact({ email: 'x@example.com' }), PlanWriteError);
    assert.throws(() => intercom.deleteContact(ids['ada']!), PlanWriteError);
    const found = await intercom.findContact(ids['ada']!);
    assert.equal(found.ok && found.value.email, 'ada@example.com');
  });

  it('refuses an unknown format, direction or object', async () => {
    for (const args of [
      ['--format', 'xml'],
      ['--direction', 'sideways'],
      ['--objects', 'accounts'],
    ]) {
      const result = await workspace.run(['plan', ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    }
  });
});

/** RFC 4180, enough for one line without embedded line breaks. */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}
