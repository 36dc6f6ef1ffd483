import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseSettings, type SettingsInput } from '../../src/core/index.ts';
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
let hook: Server;
let hookUrl = '';
const notifications: unknown[] = [];

const settings: SettingsInput = {
  mappings: {
    Contact: [{ intercom: 'plan', salesforce: 'Plan__c', direction: 'to_salesforce' }],
  },
  leadCreation: { threshold: { roles: ['lead'] } },
};

const intercom = (path: string, body?: unknown) => intercomApi(emulators.intercom, path, body);

const salesforceWrites = async () =>
  writesOf(
    ((await control(emulators.salesforce.url, 'stats')) as { calls: Record<string, number> }).calls,
  );

before(async () => {
  emulators = await startEmulators();
  await control(emulators.salesforce.url, 'seed', {
    customFields: [
      { object: 'Lead', name: 'Plan__c', type: 'string', length: 80 },
      { object: 'Contact', name: 'Plan__c', type: 'string', length: 80 },
    ],
    records: {
      Contact: [{ LastName: 'Lovelace', Email: 'ada@example.com', Plan__c: 'free' }],
      Lead: [{ LastName: 'Only', Company: 'CRM Inc', Email: 'only@crm.test' }],
    },
  });
  await intercom('/data_attributes', { name: 'plan', model: 'contact', data_type: 'string' });
  await intercom('/contacts', {
    role: 'user',
    email: 'ada@example.com',
    custom_attributes: { plan: 'pro' },
  });
  for (let n = 0; n < 12; n += 1)
    await intercom('/contacts', { role: 'lead', email: `lead${n}@example.com` });
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
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      notifications.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/backfills`;
});
after(async () => {
  await emulators.close();
  await new Promise((resolve) => hook.close(resolve));
});

describe('tandem backfill', () => {
  it('with --dry-run reports what it would do and writes nothing', async () => {
    const writes = await salesforceWrites();
    const result = await workspace.run(['backfill', '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Dry run: nothing was written\./);
    assert.match(result.stdout, /12 {2}Leads? to create/);
    assert.equal(await salesforceWrites(), writes);
    const links = await workspace.withStore((store) => store.links.list());
    assert.equal(links.length, 0);
  });

  it('syncs everyone, prints progress and the summary, and sends the summary to the webhook', async () => {
    const result = await workspace.run(['backfill'], {
      env: { TANDEM_NOTIFY_WEBHOOK_URL: hookUrl },
    });
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /^Backfill #1 started \(both, Lead, Contact\)\./);
    assert.match(out, /\nbackfill #1, /);
    assert.match(out, /\nBackfill #1 completed: 15 records/);
    assert.match(out, /\n\s+matched\s+1\n/);
    assert.match(out, /\n\s+Leads created\s+12\n/);
    assert.match(out, /\n\s+no_counterpart\s+1\n/);

    const leads = (await control(emulators.salesforce.url, 'records/Lead')) as {
      records: Record<string, unknown>[];
    };
    assert.equal(leads.records.length, 13);
    const contacts = (await control(emulators.salesforce.url, 'records/Contact')) as {
      records: Record<string, unknown>[];
    };
    assert.equal(contacts.records[0]!['Plan__c'], 'pro');

    assert.equal(notifications.length, 1);
    const sent = notifications[0] as {
      event: string;
      summary: { counts: { leadsCreated: number } };
    };
    assert.equal(sent.event, 'backfill.completed');
    assert.equal(sent.summary.counts.leadsCreated, 12);
    const events = await workspace.withStore((store) =>
      store.events.list({ kind: 'backfill.completed' }),
    );
    assert.equal(events.length, 1);
  });

  it('run again, finds everyone linked and writes nothing', async () => {
    const writes = await salesforceWrites();
    const result = await workspace.run(['backfill']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\nBackfill #2 completed/);
    assert.match(result.stdout, /\n\s+already linked\s+13\n/);
    assert.equal(await salesforceWrites(), writes);
  });

  it('refuses an unknown direction with the choices', async () => {
    const result = await workspace.run(['backfill', '--direction', 'sideways']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--direction is one of to_salesforce, to_intercom, both/);
  });
});
