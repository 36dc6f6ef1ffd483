// The Salesforce emulator: a real HTTP server that jsforce talks to unchanged.
// `startSalesforceEmulator({ port: 0 })` in tests; `tandem emulate salesforce` on the CLI.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { AuthService, defaultCredentials, type Credentials } from './auth.ts';
import type { EmulatorContext } from './context.ts';
import { Faults, Stats } from './http/faults.ts';
import { buildApp } from './http/app.ts';
import { registerControl } from './http/control.ts';
import { ApiLimits } from './limits.ts';
import { Org } from './org.ts';
import { CursorStore } from './rest/cursors.ts';
import { adminUserId, seedBase } from './seed/base.ts';
import { seedDemo, type DemoOptions } from './seed/demo.ts';
import { applyCustomisations, insertRecords, type SeedSpec } from './seed/spec.ts';
import { loadState, saveState } from './state-file.ts';
import { Writer } from './write/writer.ts';
import { BulkService } from './bulk/service.ts';
import { attachStreaming, type Streaming } from './streaming/cometd.ts';

export interface SalesforceEmulatorOptions {
  /** TCP port; 0 picks a free one. Default 4410. */
  readonly port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** `empty` (the admin user only), `demo` (default), or the path of a JSON seed file. */
  readonly seed?: 'demo' | 'empty' | (string & {});
  /** Latency added to every API response, in ms. Default 0. */
  readonly latencyMs?: number;
  /** Snapshot file: loaded at start when it exists (instead of the seed), written on changes and at close. */
  readonly stateFile?: string;
  /** Access-token lifetime in ms. Default 2 h. */
  readonly tokenTtlMs?: number;
  /** Daily API request allocation. Default 15,000 (Developer Edition). */
  readonly dailyApiLimit?: number;
  /** Sizes of the demo seed (defaults: 10 users, 300 accounts, 1,000 contacts, 1,000 leads …). */
  readonly demo?: DemoOptions;
  /** How long a Bulk 2.0 job waits before it is processed, in ms. Default 50. */
  readonly bulkDelayMs?: number;
  /** The clock (tests). */
  readonly now?: () => number;
}

export interface SalesforceEmulator {
  /** Base URL: loginUrl and instance_url for jsforce. */
  readonly url: string;
  readonly credentials: Credentials & { readonly loginUrl: string; readonly apiVersion: string };
  close(): Promise<void>;
}

export const defaultPort = 4410;
export const defaultApiVersion = '59.0';

function seedOrg(
  org: Org,
  writer: Writer,
  seed: string,
  demo: DemoOptions | undefined,
  username: string,
): Map<string, string> {
  seedBase(org, writer, username);
  return applySeed(org, writer, seed, demo);
}

function applySeed(
  org: Org,
  writer: Writer,
  seed: unknown,
  demo: DemoOptions | undefined,
): Map<string, string> {
  if (seed === 'empty') return new Map();
  if (seed === 'demo') {
    seedDemo(org, writer, demo);
    return new Map();
  }
  let spec: SeedSpec & { preset?: string; demo?: DemoOptions };
  if (typeof seed === 'string') spec = JSON.parse(readFileSync(seed, 'utf8')) as typeof spec;
  else spec = (seed ?? {}) as typeof spec;
  if (spec.preset === 'demo') seedDemo(org, writer, spec.demo ?? demo);
  applyCustomisations(org, writer, spec, adminUserId);
  return insertRecords(org, writer, spec, adminUserId);
}

export async function startSalesforceEmulator(
  options: SalesforceEmulatorOptions = {},
): Promise<SalesforceEmulator> {
  const now = options.now ?? Date.now;
  const credentials = defaultCredentials;
  let org = new Org({ now });
  const limits = new ApiLimits(options.dailyApiLimit ?? 15_000, now);
  const auth = new AuthService({
    credentials,
    tokenTtlMs: options.tokenTtlMs ?? 2 * 3_600_000,
    now,
    orgId: org.orgId,
  });
  const ctx: EmulatorContext = {
    org,
    writer: new Writer(org),
    auth,
    limits,
    cursors: new CursorStore(now),
    baseUrl: '',
  };
  const startSeed = options.seed ?? 'demo';
  const loaded = options.stateFile ? await loadState(org, options.stateFile) : null;
  if (loaded) limits.usedCount = loaded.apiUsed;
  else seedOrg(org, ctx.writer, startSeed, options.demo, credentials.username);

  const faults = new Faults();
  const stats = new Stats();
  const latency = { ms: options.latencyMs ?? 0 };
  let dirty = false;
  const persist = (): boolean => {
    if (!options.stateFile) return false;
    saveState(ctx.org, options.stateFile, limits.used);
    dirty = false;
    return true;
  };
  const streaming: { current: Streaming | null } = { current: null };
  const watch = (o: Org): void => {
    o.onChange((events) => {
      dirty = true;
      streaming.current?.publish(events);
    });
  };
  watch(org);
  const bulk = new BulkService(ctx, { delayMs: options.bulkDelayMs ?? 50 });

  const app = buildApp({
    ctx,
    faults,
    stats,
    latency,
    extraRoutes: { jobs: (c, req) => bulk.handle(c, req) },
    registerControl: (a) =>
      registerControl(a, {
        ctx,
        faults,
        stats,
        latency,
        reset: (seed) => {
          org = new Org({ now });
          watch(org);
          ctx.org = org;
          ctx.writer = new Writer(org);
          ctx.cursors.clear();
          bulk.clear();
          stats.clear();
          faults.clear();
          seedOrg(org, ctx.writer, seed ?? startSeed, options.demo, credentials.username);
          streaming.current?.clear();
          dirty = true;
        },
        seed: (seed) => {
          const refs = applySeed(ctx.org, ctx.writer, seed, options.demo);
          dirty = true;
          return refs;
        },
        saveState: persist,
      }),
  });

  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: options.port ?? defaultPort,
        hostname: options.host ?? '127.0.0.1',
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host =
    options.host && options.host !== '0.0.0.0' && options.host !== '::'
      ? options.host
      : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  ctx.baseUrl = url;
  streaming.current = attachStreaming(server, ctx);

  // Saved a few seconds after changes (a big org takes a while to write), and at close.
  const timer = options.stateFile
    ? setInterval(() => {
        if (dirty) persist();
      }, 3000)
    : null;
  timer?.unref();

  return {
    url,
    credentials: { ...credentials, loginUrl: url, apiVersion: defaultApiVersion },
    async close() {
      if (timer) clearInterval(timer);
      bulk.clear();
      if (streaming.current) {
        await streaming.current.close();
        // The flushed long polls need a moment to leave before connections are cut.
        await new Promise((r) => setTimeout(r, 50));
      }
      persist();
      await new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** The lines `tandem emulate salesforce` prints: base URL and credentials. */
export function describeSalesforceEmulator(
  emulator: Pick<SalesforceEmulator, 'url' | 'credentials'>,
): string[] {
  const c = emulator.credentials;
  return [
    `Salesforce emulator listening on ${emulator.url}`,
    `  login URL / instance URL: ${emulator.url}`,
    `  OAuth client id:          ${c.clientId}`,
    `  OAuth client secret:      ${c.clientSecret}`,
    `  username:                 ${c.username}`,
    `  password:                 ${c.password}`,
    `  API versions:             v42.0 – v64.0 (jsforce: pass version '${c.apiVersion}')`,
    `  control plane:            ${emulator.url}/__emulator/`,
  ];
}

export type { Credentials } from './auth.ts';
export type { DemoOptions } from './seed/demo.ts';
export type { SeedSpec, CustomFieldSpec, RecordTypeSpec, DuplicateRuleSpec } from './seed/spec.ts';
export type { FaultSpec } from './http/faults.ts';
