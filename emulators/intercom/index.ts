// Public entry of the Intercom emulator: start a local Intercom workspace that the official
// intercom-client (v7, API 2.14) talks to unchanged.
//   const emu = await startIntercomEmulator({ port: 0 });
//   const client = new IntercomClient({ token: emu.credentials.accessToken, environment: emu.url });
import { serve, type ServerType } from '@hono/node-server';
import { buildApp } from './app.ts';
import { buildWorkspace, type SeedName } from './control.ts';
import { credentials, Emulator } from './emulator.ts';
import { checkOptions } from './options.ts';
import { saveStateFile } from './state-file.ts';
import { existsSync } from 'node:fs';

export { credentials } from './emulator.ts';
export { sign as signWebhookBody } from './webhooks.ts';
export { customerNumber, sharedAdminEmails } from './seed.ts';
export { InvalidOptionsError } from './options.ts';
export type { SeedName } from './control.ts';

export interface IntercomEmulatorOptions {
  /** Default 4420; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** 'demo' (default), 'empty', or the path of a state file to start from. */
  seed?: SeedName;
  /** Sizes of the demo seed (defaults: 2,000 contacts, 300 companies, 400 conversations). */
  demoSize?: { contacts?: number; companies?: number; conversations?: number };
  /** Added to every API response. Default 0. */
  latencyMs?: number;
  /** Per-app calls per minute, enforced per 10-second window. Default 10,000. */
  rateLimitPerMinute?: number;
  /** Read at start when it exists (instead of the seed), written on close and on POST /__emulator/save. */
  stateFile?: string;
  /** Delay before the one retry of a failed webhook delivery. Default 60,000 ms. */
  webhookRetryDelayMs?: number;
  /** A webhook delivery not answered with 2xx within this is failed. Default 5,000 ms. */
  webhookTimeoutMs?: number;
  /** Milliseconds since the epoch; tests inject one to move across days. Default Date.now. */
  clock?: () => number;
  /** Used for fault probabilities and webhook shuffling. Default Math.random. */
  random?: () => number;
}

export interface IntercomEmulator {
  url: string;
  port: number;
  credentials: typeof credentials;
  /** The in-process emulator, for tests that need to look inside. */
  emulator: Emulator;
  /** Resolves once every webhook notification so far is delivered or has failed. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

export async function startIntercomEmulator(
  options: IntercomEmulatorOptions = {},
): Promise<IntercomEmulator> {
  checkOptions({ ...options });
  const seed = options.seed ?? 'demo';
  const emulator = new Emulator({
    latencyMs: options.latencyMs ?? 0,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 10_000,
    webhookRetryDelayMs: options.webhookRetryDelayMs ?? 60_000,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 5_000,
    clock: options.clock ?? Date.now,
    random: options.random ?? Math.random,
  });
  const stateFile = options.stateFile;
  emulator.replaceWorkspace(
    stateFile !== undefined && existsSync(stateFile)
      ? await buildWorkspace(stateFile)
      : await buildWorkspace(seed, options.demoSize ?? {}),
  );
  const app = buildApp(emulator, {
    initialSeed: seed,
    ...(options.demoSize === undefined ? {} : { initialSizes: options.demoSize }),
    ...(stateFile === undefined ? {} : { stateFile }),
  });
  const host = options.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ServerType; port: number }>(
    (resolve, reject) => {
      const server = serve(
        { fetch: app.fetch, port: options.port ?? 4420, hostname: host },
        (info) => resolve({ server, port: info.port }),
      );
      server.once('error', reject);
    },
  );
  // Keep idle connections longer than clients do (Node's default 5 s races with clients that
  // reuse a socket just as the server closes it: "fetch failed" on a loaded machine).
  if ('keepAliveTimeout' in server) {
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed = false;
  return {
    url,
    port,
    credentials,
    emulator,
    webhooksIdle: () => emulator.webhooks.idle(),
    close: async () => {
      if (closed) return;
      closed = true;
      emulator.webhooks.close();
      if (stateFile !== undefined) saveStateFile(stateFile, emulator.ws);
      await new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** Lines for the CLI to print at start: where the emulator listens and how to authenticate. */
export function describeIntercomEmulator(
  info: Pick<IntercomEmulator, 'url' | 'credentials'>,
): string[] {
  return [
    `Intercom emulator listening on ${info.url}`,
    `  access token:   ${info.credentials.accessToken}  (Authorization: Bearer …)`,
    `  client id:      ${info.credentials.clientId}`,
    `  client secret:  ${info.credentials.clientSecret}  (OAuth, webhook X-Hub-Signature)`,
    `  OAuth exchange: POST ${info.url}/auth/eagle/token`,
    `  control plane:  ${info.url}/__emulator/  (no auth)`,
    `  SDK:            new IntercomClient({ token: '${info.credentials.accessToken}', environment: '${info.url}' })`,
  ];
}
