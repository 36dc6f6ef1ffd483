// End-to-end support: both emulators and a live Tandem (`startRuntime`, as `tandem serve` runs
// it) connected to them through `tandem connect`, with Intercom webhooks subscribed and Salesforce
// Change Data Capture running: a change reaches Tandem only the way it would in production.
// Shared by test/e2e and bench/sync-latency.bench.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/index.ts';
import {
  createIntercomConnector,
  unwrap,
  type IntercomConnector,
  type SalesforceConnector,
} from '../../src/connectors/index.ts';
import { parseSettings, type SettingsInput } from '../../src/core/index.ts';
import { startRuntime, type Runtime } from '../../src/runtime/compose.ts';
import { readSyncSettings, writeSyncSettings } from '../../src/sync/settings-service.ts';
import {
  startSalesforceHarness,
  type SalesforceHarness,
} from '../connectors/salesforce-harness.ts';

export interface LiveWorld {
  readonly runtime: Runtime;
  readonly sf: SalesforceHarness;
  readonly ic: IntercomEmulator;
  /** Someone editing Salesforce by hand (not Tandem's client name). */
  readonly salesforceUser: SalesforceConnector;
  /** Someone editing Intercom (the API, as the Intercom UI would). */
  readonly intercomUser: IntercomConnector;
  /** Record-changing calls each emulator has answered so far (see `writesOf`). */
  writes(): Promise<{ salesforce: number; intercom: number }>;
  /** A Salesforce object's records, from the emulator's control plane. */
  records(object: string): Promise<Record<string, unknown>[]>;
  /** An Intercom contact, from the emulator's control plane (no API call counted). */
  intercomContact(id: string): Promise<Record<string, unknown> | undefined>;
  /** Adds latency to every API call of both emulators; optionally sets Intercom's rate limit. */
  tune(settings: { latencyMs: number; intercomRateLimitPerMinute?: number }): Promise<void>;
  /** Whether no job is queued or running. */
  idle(): Promise<boolean>;
  close(): Promise<void>;
}

export interface LiveWorldOptions {
  readonly settings: SettingsInput;
  /** Extra environment for the Tandem process (poll intervals and the like). */
  readonly env?: Record<string, string>;
}

/** Calls whose endpoint changes records: Salesforce writes, Intercom contact writes. */
export const writesOf = (calls: Record<string, number>): number =>
  Object.entries(calls)
    .filter(([endpoint]) => /^(POST|PATCH|PUT|DELETE) /.test(endpoint))
    .filter(([endpoint]) => !/\/oauth2?\/|\/query|\/search|\/token/.test(endpoint))
    .reduce((sum, [, n]) => sum + n, 0);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startLiveWorld(options: LiveWorldOptions): Promise<LiveWorld> {
  const sf = await startSalesforceHarness();
  const ic = await startIntercomEmulator({ port: 0, seed: 'empty' });
  const dir = mkdtempSync(join(tmpdir(), 'tandem-e2e-'));
  const env = {
    TANDEM_DATA_DIR: dir,
    TANDEM_PORT: String(await freePort()),
    TANDEM_LOG_LEVEL: 'error',
    // The capture supervisor ticks every third of the lease: quickly.
    TANDEM_JOB_LEASE_MS: '3000',
    ...options.env,
  };
  const loaded = loadConfig({ env, cwd: dir });
  if (!loaded.ok) throw new Error(`config: ${JSON.stringify(loaded.problems)}`);
  const runtime = await startRuntime({
    config: loaded.config,
    log: pino({ level: 'silent' }),
    role: 'serve',
  });
  const close = async () => {
    await runtime.stop();
    await ic.close();
    await sf.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const c = sf.emulator.credentials;
    await connect(
      [
        'salesforce',
        '--login-url',
        c.loginUrl,
        '--client-id',
        c.clientId,
        '--client-secret',
        c.clientSecret,
        '--username',
        c.username,
        '--password',
        c.password,
      ],
      env,
    );
    await connect(
      [
        'intercom',
        '--base-url',
        ic.url,
        '--token',
        ic.credentials.accessToken,
        '--client-secret',
        ic.credentials.clientSecret,
      ],
      env,
    );
    const parsed = parseSettings(options.settings);
    if (!parsed.ok) throw new Error(`settings: ${JSON.stringify(parsed.problems)}`);
    const current = await readSyncSettings(runtime.store.settings);
    await writeSyncSettings(runtime.store.settings, parsed.settings, 'e2e', current.version);
    const subscribed = await fetch(`${ic.url}/__emulator/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${runtime.url ?? ''}/webhooks/intercom`, topics: ['*'] }),
    });
    if (!subscribed.ok) throw new Error(`webhook subscription: ${subscribed.status}`);
  } catch (error) {
    await close();
    throw error;
  }

  return {
    runtime,
    sf,
    ic,
    salesforceUser: sf.connector({ callOptionsClient: 'someone-else' }),
    intercomUser: createIntercomConnector({
      baseUrl: ic.url,
      accessToken: ic.credentials.accessToken,
    }),
    async writes() {
      const salesforce = (await sf.control('stats')).body as { calls: Record<string, number> };
      const res = await fetch(`${ic.url}/__emulator/stats`);
      const intercom = (await res.json()) as { calls: Record<string, number> };
      return { salesforce: writesOf(salesforce.calls), intercom: writesOf(intercom.calls) };
    },
    async records(object) {
      return (
        (await sf.control(`records/${object}`)).body as { records: Record<string, unknown>[] }
      ).records;
    },
    async intercomContact(id) {
      return ic.emulator.ws.contacts.get(id) as Record<string, unknown> | undefined;
    },
    async tune({ latencyMs, intercomRateLimitPerMinute }) {
      await sf.control('latency', { ms: latencyMs });
      const res = await fetch(`${ic.url}/__emulator/settings`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          latencyMs,
          ...(intercomRateLimitPerMinute === undefined
            ? {}
            : { rateLimitPerMinute: intercomRateLimitPerMinute }),
        }),
      });
      if (!res.ok) throw new Error(`Intercom settings: ${res.status} ${await res.text()}`);
    },
    async idle() {
      const counts = await runtime.engine.stats();
      return counts.every((c) => c.queued === 0 && c.running === 0);
    },
    close,
  };
}

/** `tandem connect …` in-process, exactly as a person would run it. */
async function connect(args: readonly string[], env: Record<string, string>): Promise<void> {
  const errors: string[] = [];
  const code = await main(['connect', ...args], {
    out: () => {},
    err: (line) => errors.push(line),
    env,
  });
  if (code !== 0) throw new Error(`tandem connect ${args[0]} failed: ${errors.join(' ')}`);
}

/** Creates the same person on both sides and waits until Tandem has linked them and settled. */
export async function linkedPair(
  world: LiveWorld,
  person: { email: string; name: string; phone: string },
): Promise<{ intercomId: string; contactId: string }> {
  const [saved] = await world.salesforceUser.create('Contact', [
    { LastName: person.name, Email: person.email, Phone: person.phone },
  ]);
  const contactId = unwrap(saved!).id;
  const intercomId = unwrap(
    await world.intercomUser.createContact({
      role: 'user',
      email: person.email,
      name: person.name,
      phone: person.phone,
    }),
  ).id;
  const deadline = Date.now() + 30_000;
  while ((await world.runtime.store.links.findByIntercomId(intercomId)) === undefined) {
    if (Date.now() > deadline) throw new Error(`no link for ${person.email} after 30 s`);
    await sleep(50);
  }
  return { intercomId, contactId };
}

/** Waits until no job is queued or running and neither emulator has seen a write for `quietMs`. */
export async function settle(world: LiveWorld, quietMs = 1500): Promise<void> {
  let last = JSON.stringify(await world.writes());
  let quietSince = Date.now();
  const deadline = Date.now() + 30_000;
  while (Date.now() - quietSince < quietMs || !(await world.idle())) {
    if (Date.now() > deadline) throw new Error('Tandem did not settle within 30 s');
    await sleep(100);
    const now = JSON.stringify(await world.writes());
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }
}
