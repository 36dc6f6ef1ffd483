// One emulated workspace with its settings: the object the HTTP app and the control plane
// share. Built from options; holds no module-level state.
import { Faults } from './faults.ts';
import type { Ops } from './context.ts';
import { RateLimiter } from './rate-limit.ts';
import { Workspace } from './state.ts';
import type { ApiVersion } from './versions.ts';
import { Webhooks } from './webhooks.ts';

export const credentials = {
  accessToken: 'tandem-dev-token',
  clientId: 'tandem-dev-client',
  clientSecret: 'tandem-dev-secret',
} as const;

export interface EmulatorConfig {
  latencyMs: number;
  rateLimitPerMinute: number;
  webhookRetryDelayMs: number;
  webhookTimeoutMs: number;
  /** Milliseconds since the epoch; injectable so tests can move across days. */
  clock: () => number;
  random: () => number;
}

export interface Stats {
  calls: Record<string, number>;
  rateLimited: number;
  faultsInjected: number;
}

export const appInfo = {
  id_code: 'tandemdev',
  name: 'Tandem Emulated Workspace',
  created_at: 1_700_000_000,
  timezone: 'UTC',
  region: 'US',
};

export class Emulator implements Ops {
  ws = new Workspace({ ...appInfo });
  latencyMs: number;
  /** Contacts younger than this are not yet found by search ("Contact Creation Delay"). */
  searchDelaySeconds = 0;
  readonly limiter: RateLimiter;
  readonly faults: Faults;
  readonly webhooks: Webhooks;
  readonly clock: () => number;
  /** Authorisation codes minted by the control plane, each exchangeable once. */
  oauthCodes = new Set<string>();
  stats: Stats = { calls: {}, rateLimited: 0, faultsInjected: 0 };

  constructor(config: EmulatorConfig) {
    this.latencyMs = config.latencyMs;
    this.clock = config.clock;
    this.limiter = new RateLimiter(config.rateLimitPerMinute);
    this.faults = new Faults(config.random);
    this.webhooks = new Webhooks({
      appId: appInfo.id_code,
      secret: credentials.clientSecret,
      now: () => this.now(),
      random: config.random,
      settings: {
        retryDelayMs: config.webhookRetryDelayMs,
        timeoutMs: config.webhookTimeoutMs,
        duplicates: false,
        shuffle: false,
      },
    });
  }

  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  emit(topic: string, item: (version: ApiVersion) => unknown): void {
    if (this.webhooks.listens(topic)) this.webhooks.emit(topic, item);
  }

  /** The admin behind the access token: the first admin of the workspace. */
  tokenAdminId(): string {
    return this.ws.admins.keys().next().value ?? '';
  }

  replaceWorkspace(ws: Workspace): void {
    this.ws = ws;
  }

  resetStats(): void {
    this.stats = { calls: {}, rateLimited: 0, faultsInjected: 0 };
  }
}
