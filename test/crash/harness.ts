// The crash and fault harness: both emulators in this process (so they outlive Tandem), Tandem
// as a separate `tandem serve` process on a data folder of its own (so it can be SIGKILLed and
// started again on the same folder), connected through `tandem connect` as a person would.
// Changes reach Tandem only as they would in production: Intercom delivers signed webhooks,
// Salesforce publishes change events (with the poll and the sweep running underneath).
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../emulators/salesforce/index.ts';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/index.ts';
import { parseSettings, type SettingsInput } from '../../src/core/index.ts';
import { openDatabase } from '../../src/runtime/database.ts';
import { readSyncSettings, writeSyncSettings } from '../../src/sync/settings-service.ts';
import { identifierFields } from '../connectors/salesforce-harness.ts';
import { writesOf } from '../e2e/live-world.ts';
import { spawnTandem } from '../support/cli.ts';
import { startFaultProxy, type FaultProxy } from './proxy.ts';
import { seededRandom, type Person } from './workload.ts';

/** Share of API calls hit by each kind of fault (each kind on both APIs). */
export interface FaultMix {
  /** 500, 502 or 503 from the emulator; nothing done. */
  readonly serverErrors: number;
  /** 429 from the emulator (Intercom's with its rate-limit headers). */
  readonly rateLimits: number;
  /** The connection reset before the call reaches the emulator. */
  readonly resets: number;
  /** The call carried out, its answer lost (what a timeout looks like to the caller). */
  readonly lostAnswers: number;
}

/**
 * 5% of calls fail: 2% 5xx, 1% 429, 1% reset, 1% answer lost after the emulator acted. On each
 * API the first record-changing call's answer is lost and the second one's connection reset, so
 * that the rarer faults surely happen to a write in every run.
 */
export const fivePercent: FaultMix = {
  serverErrors: 0.02,
  rateLimits: 0.01,
  resets: 0.01,
  lostAnswers: 0.01,
};

export interface WorldOptions {
  /** Seeds the fault dice (Intercom's and the proxies'). */
  readonly seed: number;
  /** People who exist as Salesforce Contacts before Tandem starts. */
  readonly people: readonly Person[];
  readonly settings: SettingsInput;
  /** `password` (username-password login) or `web_server` (OAuth in the browser, refresh token). */
  readonly salesforceFlow?: 'password' | 'web_server';
  /** Added to every emulator call, so that Tandem's jobs are mid-call more of the time. */
  readonly latencyMs?: number;
  readonly faults?: FaultMix;
  /** More Salesforce records to start from (seeded: no change events). */
  readonly salesforceRecords?: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  /** More Intercom contacts to start from (before any webhook subscription). */
  readonly intercomContacts?: readonly Record<string, unknown>[];
  /** Start `tandem serve` (default); without it, the world is for one-shot commands. */
  readonly serve?: boolean;
  /** More environment for Tandem's processes. */
  readonly env?: Record<string, string>;
}

export interface JobCounts {
  readonly queued: number;
  readonly running: number;
  readonly failed: number;
}

/** `tandem serve` as a child process on a data folder, which can be killed and started again. */
export class TandemProcess {
  readonly env: Record<string, string>;
  readonly url: string;
  starts = 0;
  kills = 0;
  lastStartAt = 0;
  /** Exits nobody asked for (a crash of Tandem itself), with the end of its log. */
  readonly crashes: string[] = [];
  #child: ChildProcess | undefined;
  #log: string[] = [];

  constructor(env: Record<string, string>, port: number) {
    this.env = env;
    this.url = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** The last lines Tandem wrote to standard error. */
  logTail(lines = 30): string {
    return this.#log.slice(-lines).join('\n');
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error('Tandem is already running');
    const child = spawnTandem(['serve'], {
      env: this.env,
      cwd: this.env['TANDEM_DATA_DIR'] ?? '.',
    });
    this.#child = child;
    this.starts++;
    this.lastStartAt = Date.now();
    const keep = (chunk: Buffer) => {
      this.#log.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.#log.length > 400) this.#log = this.#log.slice(-200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.#child === child) {
        this.#child = undefined;
        this.crashes.push(`exit ${code ?? signal}: ${this.logTail(10)}`);
      }
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (this.#child !== child) throw new Error(`tandem serve exited:\n${this.logTail()}`);
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`tandem serve did not start:\n${this.logTail()}`);
      await sleep(50);
    }
  }

  /** SIGKILL: no shutdown of any kind, as when the machine loses power. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    this.kills++;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM, the way an operator stops Tandem. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  /** The needs-attention list: records whose sync gave up, one line each. */
  async needsAttention(): Promise<string[]> {
    const response = await fetch(`${this.url}/api/failures?limit=100`, {
      headers: { authorization: `Bearer ${this.env['TANDEM_ADMIN_TOKEN'] ?? ''}` },
    });
    if (!response.ok) throw new Error(`GET /api/failures: ${response.status}`);
    const body = (await response.json()) as { data: Record<string, unknown>[] };
    return body.data.map((f) => JSON.stringify(f));
  }

  /** Jobs queued (retries waiting included), running and failed, from `/metrics`. */
  async jobs(): Promise<JobCounts | undefined> {
    if (!this.#child) return undefined;
    try {
      const text = await (await fetch(`${this.url}/metrics`)).text();
      const sum = (state: string) =>
        [...text.matchAll(new RegExp(`^tandem_jobs_${state}\\{[^}]*\\} (\\d+)`, 'gm'))].reduce(
          (total, match) => total + Number(match[1]),
          0,
        );
      return { queued: sum('queued'), running: sum('running'), failed: sum('failed') };
    } catch {
      return undefined;
    }
  }
}

export interface CrashWorld {
  readonly sf: SalesforceEmulator;
  readonly ic: IntercomEmulator;
  readonly tandem: TandemProcess;
  readonly dataDir: string;
  readonly proxies: readonly FaultProxy[];
  /** Record-changing API calls each emulator has answered so far. */
  writes(): Promise<{ salesforce: number; intercom: number }>;
  /** Every Salesforce access token expires now (Tandem must refresh and carry on). */
  expireSalesforceTokens(): Promise<void>;
  /** Calls to Salesforce's token endpoint so far (logins and refreshes). */
  tokenCalls(): Promise<number>;
  /** Stops injecting faults (emulators and proxies). */
  calm(): Promise<void>;
  close(): Promise<void>;
}

export async function sfControl(
  sf: SalesforceEmulator,
  path: string,
  body?: unknown,
  method?: string,
): Promise<unknown> {
  return controlCall(sf.url, path, body, method);
}

export async function icControl(
  ic: IntercomEmulator,
  path: string,
  body?: unknown,
  method?: string,
): Promise<unknown> {
  return controlCall(ic.url, path, body, method);
}

async function controlCall(
  base: string,
  path: string,
  body?: unknown,
  method?: string,
): Promise<unknown> {
  const response = await fetch(`${base}/__emulator/${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${base} ${path}: HTTP ${response.status} ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Custom fields of the suites: the identifier fields, and the two synced custom fields. */
const crashFields = [
  ...identifierFields,
  ...['Lead', 'Contact'].flatMap((object) =>
    ['Plan__c', 'Region__c'].map((name) => ({ object, name, type: 'string', length: 80 })),
  ),
];

/** Starts both emulators and Tandem, connected and configured; Tandem is running. */
export async function startCrashWorld(options: WorldOptions): Promise<CrashWorld> {
  const random = seededRandom(options.seed ^ 0x5eed);
  const latencyMs = options.latencyMs ?? 0;
  const sf = await startSalesforceEmulator({ port: 0, seed: 'empty', latencyMs });
  const ic = await startIntercomEmulator({
    port: 0,
    seed: 'empty',
    latencyMs,
    // Intercom retries a failed delivery once, after a minute; on the suites' time scale, 2 s.
    webhookRetryDelayMs: 2000,
    random: seededRandom(options.seed),
  });
  const proxies: FaultProxy[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-crash-suite-'));
  const port = await freePort();
  const adminToken = 'crash-suite-admin-token';
  const env: Record<string, string> = {
    TANDEM_DATA_DIR: dataDir,
    TANDEM_PORT: String(port),
    TANDEM_LOG_LEVEL: 'warn',
    TANDEM_LOG_FORMAT: 'json',
    TANDEM_ADMIN_TOKEN: adminToken,
    // A killed process's jobs and capture lease are taken over after this.
    TANDEM_JOB_LEASE_MS: '3000',
    TANDEM_SALESFORCE_POLL_SECONDS: '2',
    TANDEM_INTERCOM_SWEEP_SECONDS: '2',
    ...options.env,
  };
  const tandem = new TandemProcess(env, port);
  const close = async () => {
    await tandem.stop();
    for (const proxy of proxies) await proxy.close();
    await ic.close();
    await sf.close();
    // TANDEM_CRASH_KEEP=1 keeps the data folder (its ledger says what Tandem decided).
    if (process.env['TANDEM_CRASH_KEEP'] === '1') console.log(`kept ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await sfControl(sf, 'seed', {
      customFields: crashFields,
      records: {
        ...options.salesforceRecords,
        Contact: [
          ...options.people
            .filter((p) => p.existingContact)
            .map((p) => ({ LastName: p.existingContact?.lastName, Email: p.email })),
          ...(options.salesforceRecords?.['Contact'] ?? []),
        ],
      },
    });
    for (const name of ['plan', 'region']) {
      const created = await fetch(`${ic.url}/data_attributes`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ic.credentials.accessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name, model: 'contact', data_type: 'string' }),
      });
      if (!created.ok) throw new Error(`Intercom data attribute ${name}: ${created.status}`);
    }
    for (const contact of options.intercomContacts ?? []) await icControl(ic, 'contacts', contact);
    let sfUrl = sf.url;
    let icUrl = ic.url;
    const faults = options.faults;
    if (faults) {
      const sfProxy = await startFaultProxy({
        target: sf.url,
        resetProbability: faults.resets,
        lostAnswerProbability: faults.lostAnswers,
        applies: (_method, path) => path.startsWith('/services/data/'),
        random,
        firstWrites: ['lostAnswer', 'reset'],
      });
      const icProxy = await startFaultProxy({
        target: ic.url,
        resetProbability: faults.resets,
        lostAnswerProbability: faults.lostAnswers,
        applies: () => true,
        random,
        firstWrites: ['lostAnswer', 'reset'],
      });
      proxies.push(sfProxy, icProxy);
      sfUrl = sfProxy.url;
      icUrl = icProxy.url;
    }

    await connectSalesforce(sf, sfUrl, env, options.salesforceFlow ?? 'password');
    await tandemCli(
      [
        'connect',
        'intercom',
        '--base-url',
        icUrl,
        '--token',
        ic.credentials.accessToken,
        '--client-secret',
        ic.credentials.clientSecret,
      ],
      env,
    );
    await storeSettings(env, options.settings);
    if (options.serve !== false) {
      await tandem.start();
      await icControl(ic, 'webhooks', { url: `${tandem.url}/webhooks/intercom`, topics: ['*'] });
    }

    if (faults) {
      for (const proxy of proxies) proxy.setActive(true);
      // After set-up: `tandem connect` itself is not what is under test. The first reads meet a
      // 503 and a 429 for sure (the writes meet the proxy's), then the dice decide.
      for (const status of [503, 429]) {
        await sfControl(sf, 'faults', {
          method: 'GET',
          path: '/services/data/*',
          status,
          times: 1,
        });
        await icControl(ic, 'faults', { method: 'GET', path: '/contacts/*', status, times: 1 });
      }
      for (const status of [500, 502, 503]) {
        await sfControl(sf, 'faults', {
          path: '/services/data/*',
          status,
          probability: faults.serverErrors / 3,
        });
        await icControl(ic, 'faults', { path: '/*', status, probability: faults.serverErrors / 3 });
      }
      await sfControl(sf, 'faults', {
        path: '/services/data/*',
        status: 429,
        errorCode: 'REQUEST_LIMIT_EXCEEDED',
        message: 'Injected: too many requests',
        probability: faults.rateLimits,
      });
      await icControl(ic, 'faults', { path: '/*', status: 429, probability: faults.rateLimits });
    }
  } catch (error) {
    await close();
    throw error;
  }

  return {
    sf,
    ic,
    tandem,
    dataDir,
    proxies,
    async writes() {
      const salesforce = (await sfControl(sf, 'stats')) as { calls: Record<string, number> };
      const intercom = (await icControl(ic, 'stats')) as { calls: Record<string, number> };
      return { salesforce: writesOf(salesforce.calls), intercom: writesOf(intercom.calls) };
    },
    async expireSalesforceTokens() {
      await sfControl(sf, 'expire-tokens', {});
    },
    async tokenCalls() {
      const stats = (await sfControl(sf, 'stats')) as { calls: Record<string, number> };
      return stats.calls['POST /services/oauth2/token'] ?? 0;
    },
    async calm() {
      await sfControl(sf, 'faults', undefined, 'DELETE');
      await icControl(ic, 'faults', undefined, 'DELETE');
      for (const proxy of proxies) proxy.setActive(false);
    },
    close,
  };
}

/** `tandem …` in this process, on the world's data folder. */
async function tandemCli(
  args: readonly string[],
  env: Record<string, string>,
  onOut?: (line: string) => void,
): Promise<void> {
  const lines: string[] = [];
  const code = await main(args, {
    out: (line) => {
      lines.push(line);
      onOut?.(line);
    },
    err: (line) => lines.push(line),
    env: { ...env, TANDEM_LOG_LEVEL: 'error' },
  });
  if (code !== 0) throw new Error(`tandem ${args.slice(0, 2).join(' ')}: ${lines.join('\n')}`);
}

async function connectSalesforce(
  sf: SalesforceEmulator,
  loginUrl: string,
  env: Record<string, string>,
  flow: 'password' | 'web_server',
): Promise<void> {
  const c = sf.credentials;
  const args = [
    'connect',
    'salesforce',
    '--login-url',
    loginUrl,
    '--client-id',
    c.clientId,
    '--client-secret',
    c.clientSecret,
  ];
  if (flow === 'password') {
    await tandemCli([...args, '--username', c.username, '--password', c.password], env);
    return;
  }
  // The browser flow: what a person does on the consent page, done here.
  let approval: Promise<void> | undefined;
  await tandemCli([...args, '--timeout', '300'], env, (line) => {
    if (line.includes('/services/oauth2/authorize?')) approval = approve(line.trim());
  });
  await approval;
}

async function approve(authorizeUrl: string): Promise<void> {
  const query = new URL(authorizeUrl).searchParams;
  const form = new URLSearchParams({ action: 'approve' });
  for (const key of ['client_id', 'redirect_uri', 'state', 'scope', 'code_challenge'])
    form.set(key, query.get(key) ?? '');
  const approved = await fetch(new URL('/services/oauth2/authorize', authorizeUrl), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const callback = await fetch(approved.headers.get('location') ?? '');
  if (!callback.ok) throw new Error(`OAuth callback: ${callback.status}`);
}

async function storeSettings(env: Record<string, string>, input: SettingsInput): Promise<void> {
  const loaded = loadConfig({ env: { ...env, TANDEM_LOG_LEVEL: 'silent' }, flags: {} });
  if (!loaded.ok) throw new Error(`config: ${JSON.stringify(loaded.problems)}`);
  const parsed = parseSettings(input);
  if (!parsed.ok) throw new Error(`settings: ${JSON.stringify(parsed.problems)}`);
  const { store } = await openDatabase(loaded.config);
  try {
    await store.migrate();
    const current = await readSyncSettings(store.settings);
    await writeSyncSettings(store.settings, parsed.settings, 'crash suite', current.version);
  } finally {
    await store.close();
  }
}

export interface SettleOptions {
  /** No write on either emulator and no job for this long. */
  readonly quietMs?: number;
  /** At least this long since Tandem last started (its capture lease taken, a sweep done). */
  readonly sinceStartMs?: number;
  readonly timeoutMs?: number;
}

/**
 * Waits until Tandem has caught up: every webhook delivered (or given up by Intercom), no job
 * queued or running, and neither emulator written to for `quietMs`, a few sweeps and polls long.
 */
export async function settle(world: CrashWorld, options: SettleOptions = {}): Promise<void> {
  const quietMs = options.quietMs ?? 3000;
  const sinceStartMs = options.sinceStartMs ?? 6000;
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  let last = '';
  let quietSince = Date.now();
  for (;;) {
    await icControl(world.ic, 'webhooks/flush', {});
    const jobs = await world.tandem.jobs();
    const now = JSON.stringify(await world.writes());
    const busy = jobs === undefined || jobs.queued > 0 || jobs.running > 0;
    if (now !== last || busy) {
      last = now;
      quietSince = Date.now();
    }
    if (Date.now() - quietSince >= quietMs && Date.now() - world.tandem.lastStartAt >= sinceStartMs)
      return;
    if (Date.now() > deadline) {
      throw new Error(
        `Tandem did not settle: jobs ${JSON.stringify(jobs)}\n${world.tandem.logTail()}`,
      );
    }
    await sleep(200);
  }
}
