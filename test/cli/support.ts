// In-process `tandem` runs against the emulators, for the connect, config and validate suites.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../emulators/salesforce/index.ts';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/index.ts';
import { openDatabase } from '../../src/runtime/database.ts';
import type { Store } from '../../src/store/index.ts';

// jsforce sends every request through https_proxy/http_proxy when set, ignoring NO_PROXY.
for (const variable of ['https_proxy', 'http_proxy', 'HTTPS_PROXY', 'HTTP_PROXY'])
  delete process.env[variable];

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A data folder of its own, and `tandem …` run in-process on it. */
export class Workspace {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'tandem-cli-'));

  env(extra: Record<string, string> = {}): Record<string, string> {
    return { TANDEM_DATA_DIR: this.dataDir, TANDEM_LOG_LEVEL: 'silent', ...extra };
  }

  async run(
    args: readonly string[],
    options: { env?: Record<string, string>; onOut?: (line: string) => void } = {},
  ): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, {
      out: (line) => {
        out.push(line);
        options.onOut?.(line);
      },
      err: (line) => err.push(line),
      env: this.env(options.env),
    });
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  }

  /** The store behind this data folder (migrated), for looking inside; closed after `fn`. */
  async withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const loaded = loadConfig({ env: this.env(), flags: {} });
    if (!loaded.ok) throw new Error('test configuration is invalid');
    const { store } = await openDatabase(loaded.config);
    try {
      await store.migrate();
      return await fn(store);
    } finally {
      await store.close();
    }
  }
}

export interface Emulators {
  readonly salesforce: SalesforceEmulator;
  readonly intercom: IntercomEmulator;
  close(): Promise<void>;
}

export async function startEmulators(): Promise<Emulators> {
  const [salesforce, intercom] = await Promise.all([
    startSalesforceEmulator({ port: 0, seed: 'empty' }),
    startIntercomEmulator({ port: 0, seed: 'empty' }),
  ]);
  return {
    salesforce,
    intercom,
    close: async () => {
      await Promise.all([salesforce.close(), intercom.close()]);
    },
  };
}

/** `tandem connect salesforce` arguments for the emulator's development login. */
export const salesforcePasswordArgs = (emulator: SalesforceEmulator): string[] => [
  'connect',
  'salesforce',
  '--login-url',
  emulator.url,
  '--client-id',
  emulator.credentials.clientId,
  '--client-secret',
  emulator.credentials.clientSecret,
  '--username',
  emulator.credentials.username,
  '--password',
  emulator.credentials.password,
];

export const intercomTokenArgs = (emulator: IntercomEmulator): string[] => [
  'connect',
  'intercom',
  '--base-url',
  emulator.url,
  '--token',
  emulator.credentials.accessToken,
  '--client-secret',
  emulator.credentials.clientSecret,
];

/** A control-plane call on an emulator (`/__emulator/…`). */
export async function control(
  baseUrl: string,
  path: string,
  body?: unknown,
  method?: string,
): Promise<unknown> {
  const response = await fetch(`${baseUrl}/__emulator/${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** An Intercom API call on the emulator with its access token (GET, or POST with a body). */
export async function intercomApi(
  emulator: IntercomEmulator,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${emulator.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${emulator.credentials.accessToken}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}
