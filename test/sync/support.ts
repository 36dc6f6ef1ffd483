// Test support for the people-sync suites: both emulators through the real SDKs, a SQLite store
// in a temporary folder, and the handlers called the way the job engine calls them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import { parseSettings, type SettingsInput } from '../../src/core/index.ts';
import {
  createIntercomConnector,
  unwrap,
  type IntercomConnector,
  type SalesforceConnector,
} from '../../src/connectors/index.ts';
import type { JobContext } from '../../src/queue/index.ts';
import { createSecretBox, openStore, type LedgerEvent, type Store } from '../../src/store/index.ts';
import {
  createPersonSync,
  type OpenedConnections,
  type PersonSync,
} from '../../src/sync/person-sync.ts';
import { readSyncSettings, writeSyncSettings } from '../../src/sync/settings-service.ts';
import {
  startSalesforceHarness,
  type SalesforceHarness,
} from '../connectors/salesforce-harness.ts';

/** Custom fields besides the harness's identifier fields. Plan__c is short on purpose. */
const customFields = [
  { object: 'Lead', name: 'Plan__c', type: 'string', length: 10 },
  { object: 'Contact', name: 'Plan__c', type: 'string', length: 10 },
];

export interface SyncWorld {
  readonly sf: SalesforceHarness;
  readonly ic: IntercomEmulator;
  readonly store: Store;
  /** Tandem's connectors. */
  readonly salesforce: SalesforceConnector;
  readonly intercom: IntercomConnector;
  /** Someone else's: a person editing Salesforce (no `client=tandem`). */
  readonly salesforceUser: SalesforceConnector;
  readonly sync: PersonSync;
  /** The connections the handlers marked "needs reconnect", with the reason. */
  readonly reconnects: { system: string; reason: string }[];
  /** Injects a fault into the Intercom emulator. */
  intercomFault(fault: Record<string, unknown>): Promise<void>;
  /** What `openConnections` answers; tests may switch it. */
  connections: OpenedConnections;
  setSettings(input: SettingsInput): Promise<void>;
  runIntercom(contactId: string, attempt?: number): Promise<void>;
  runSalesforce(type: 'Lead' | 'Contact', id: string, attempt?: number): Promise<void>;
  events(kind?: string): Promise<LedgerEvent[]>;
  /** Salesforce records as the emulator holds them. */
  records(object: 'Lead' | 'Contact'): Promise<Record<string, unknown>[]>;
  /** Calls by endpoint on each emulator. */
  salesforceCalls(): Promise<Record<string, number>>;
  intercomCalls(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const log = pino({ level: 'silent' });

/** The context the job engine gives a handler. */
export const job = (task: string, attempt = 1): JobContext => ({
  jobId: `test-${task}-${attempt}`,
  task,
  lane: 'live',
  attempt,
  maxAttempts: 5,
  signal: new AbortController().signal,
  log,
});

export async function startSyncWorld(): Promise<SyncWorld> {
  const sf = await startSalesforceHarness();
  const seeded = await sf.control('seed', { customFields });
  if (seeded.status !== 200) throw new Error(`seed failed: ${JSON.stringify(seeded.body)}`);
  const ic = await startIntercomEmulator({ port: 0, seed: 'empty' });
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sync-'));
  const store = await openStore({
    location: { kind: 'sqlite', file: join(dir, 'tandem.db') },
    secretBox: createSecretBox(randomBytes(32)),
  });
  await store.migrate();
  const intercom = createIntercomConnector({
    baseUrl: ic.url,
    accessToken: ic.credentials.accessToken,
  });
  unwrap(
    await intercom.createDataAttribute({ name: 'plan', model: 'contact', data_type: 'string' }),
  );
  unwrap(
    await intercom.createDataAttribute({ name: 'region', model: 'contact', data_type: 'string' }),
  );
  const salesforce = sf.connector();
  const world: SyncWorld = {
    sf,
    ic,
    store,
    salesforce,
    intercom,
    salesforceUser: sf.connector({ callOptionsClient: 'someone-else' }),
    sync: createPersonSync({
      store,
      openConnections: async () => world.connections,
      markNeedsReconnect: async (system, reason) => void world.reconnects.push({ system, reason }),
    }),
    connections: { ok: true, salesforce, intercom },
    reconnects: [],
    async intercomFault(fault) {
      const res = await fetch(`${ic.url}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      if (res.status >= 300) throw new Error(`fault refused: ${await res.text()}`);
    },
    async setSettings(input) {
      const parsed = parseSettings(input);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      const current = await readSyncSettings(store.settings);
      await writeSyncSettings(store.settings, parsed.settings, 'test', current.version);
    },
    runIntercom: (contactId, attempt = 1) =>
      world.sync.tasks['sync.intercom.contact'](
        { recordKey: `intercom:contact:${contactId}` },
        job('sync.intercom.contact', attempt),
      ),
    runSalesforce: (type, id, attempt = 1) =>
      world.sync.tasks['sync.salesforce.record'](
        { salesforceId: id, type },
        job('sync.salesforce.record', attempt),
      ),
    events: (kind) => store.events.list({ ...(kind ? { kind } : {}), limit: 10_000 }),
    async records(object) {
      return (
        (await sf.control(`records/${object}`)).body as { records: Record<string, unknown>[] }
      ).records;
    },
    async salesforceCalls() {
      return ((await sf.control('stats')).body as { calls: Record<string, number> }).calls;
    },
    async intercomCalls() {
      const res = await fetch(`${ic.url}/__emulator/stats`);
      return ((await res.json()) as { calls: Record<string, number> }).calls;
    },
    async close() {
      await store.close();
      await ic.close();
      await sf.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Calls whose endpoint changes records: Salesforce writes, Intercom contact updates. */
export const writesOf = (calls: Record<string, number>): number =>
  Object.entries(calls)
    .filter(([endpoint]) => /^(POST|PATCH|PUT|DELETE) /.test(endpoint))
    .filter(([endpoint]) => !endpoint.includes('/oauth2/') && !endpoint.includes('/query'))
    .reduce((sum, [, n]) => sum + n, 0);
