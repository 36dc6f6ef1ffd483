// The control plane under /__emulator (no auth): reset and seed, dumps, faults, settings,
// webhook subscriptions and their delivery log, a lead signing up, OAuth codes, stats.
import { z } from 'zod';
import { companyView, contactView, conversationView } from './views.ts';
import { createContact, signUpLead, updateContact } from './contacts.ts';
import type { Emulator } from './emulator.ts';
import { ApiError, notFound } from './errors.ts';
import { faultSchema } from './faults.ts';
import { mintCode } from './routes/oauth.ts';
import { demoWorkspace, emptyWorkspace, type DemoOptions } from './seed.ts';
import type { Workspace } from './state.ts';
import { loadStateFile, saveStateFile } from './state-file.ts';
import { defaultVersion, supportedVersions } from './versions.ts';

export interface ControlRequest {
  body: unknown;
  params: Record<string, string>;
  query: URLSearchParams;
}
export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  handler: (req: ControlRequest) => unknown;
}

export type SeedName = 'demo' | 'empty' | (string & {});

export async function buildWorkspace(
  seed: SeedName,
  sizes: { contacts?: number; companies?: number; conversations?: number } = {},
): Promise<Workspace> {
  if (seed === 'empty') return emptyWorkspace();
  if (seed === 'demo') return demoWorkspace(sizes);
  return loadStateFile(seed);
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ApiError(
      400,
      'parameter_invalid',
      `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

const seedSchema = z.object({
  seed: z.string().default('demo'),
  contacts: z.number().int().min(0).max(5_000_000).optional(),
  companies: z.number().int().min(0).optional(),
  conversations: z.number().int().min(0).optional(),
});

const settingsSchema = z.object({
  latencyMs: z.number().int().min(0).optional(),
  searchDelaySeconds: z.number().int().min(0).optional(),
  rateLimitPerMinute: z.number().int().min(6).optional(),
  webhookRetryDelayMs: z.number().int().min(0).optional(),
  webhookTimeoutMs: z.number().int().min(1).optional(),
  webhookDuplicates: z.boolean().optional(),
  webhookShuffle: z.boolean().optional(),
});

const subscriptionSchema = z.object({
  url: z.url(),
  topics: z.array(z.string().min(1)).min(1),
  version: z.enum(supportedVersions).default(defaultVersion),
  /** Check the URL with a HEAD request first, as Intercom's Developer Hub does when saving. */
  verify: z.boolean().default(false),
});

async function answersHead(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

export interface ControlOptions {
  initialSeed?: SeedName;
  initialSizes?: DemoOptions;
  stateFile?: string;
}

export function controlRoutes(emulator: Emulator, options: ControlOptions = {}): ControlRoute[] {
  const settings = () => ({
    latencyMs: emulator.latencyMs,
    searchDelaySeconds: emulator.searchDelaySeconds,
    rateLimitPerMinute: emulator.limiter.perMinute,
    webhookRetryDelayMs: emulator.webhooks.settings.retryDelayMs,
    webhookTimeoutMs: emulator.webhooks.settings.timeoutMs,
    webhookDuplicates: emulator.webhooks.settings.duplicates,
    webhookShuffle: emulator.webhooks.settings.shuffle,
  });
  const dump = <T>(items: Iterable<T>, view: (item: T) => unknown) => {
    const data = [...items].map(view);
    return { total_count: data.length, data };
  };
  return [
    { method: 'GET', path: '/health', handler: () => ({ ok: true }) },
    {
      method: 'POST',
      path: '/reset',
      handler: async () => {
        emulator.replaceWorkspace(
          await buildWorkspace(options.initialSeed ?? 'empty', options.initialSizes ?? {}),
        );
        emulator.faults.clear();
        emulator.webhooks.reset();
        emulator.limiter.reset();
        emulator.resetStats();
        emulator.oauthCodes.clear();
        return { ok: true };
      },
    },
    {
      method: 'POST',
      path: '/seed',
      handler: async ({ body }) => {
        const { seed, ...sizes } = parse(seedSchema, body);
        const ws = await buildWorkspace(
          seed,
          Object.fromEntries(Object.entries(sizes).filter(([, v]) => v !== undefined)),
        );
        emulator.replaceWorkspace(ws);
        return {
          ok: true,
          contacts: ws.contacts.size,
          companies: ws.companies.size,
          conversations: ws.conversations.size,
        };
      },
    },
    {
      method: 'POST',
      path: '/save',
      handler: () => {
        if (options.stateFile === undefined)
          throw new ApiError(
            400,
            'parameter_invalid',
            'the emulator was started without a state file',
          );
        saveStateFile(options.stateFile, emulator.ws);
        return { ok: true, path: options.stateFile };
      },
    },
    {
      method: 'GET',
      path: '/contacts',
      handler: () =>
        dump(emulator.ws.contacts.values(), (c) => ({
          ...contactView(emulator.ws, c, defaultVersion),
          archived: c.archived,
        })),
    },
    {
      method: 'GET',
      path: '/companies',
      handler: () => dump(emulator.ws.companies.values(), (c) => companyView(emulator.ws, c)),
    },
    {
      method: 'GET',
      path: '/conversations',
      handler: () =>
        dump(emulator.ws.conversations.values(), (c) =>
          conversationView(emulator.ws, c, defaultVersion, 'all'),
        ),
    },
    // Changes made "in the Intercom UI": they notify webhook subscribers like API changes.
    {
      method: 'POST',
      path: '/contacts',
      handler: ({ body }) =>
        contactView(emulator.ws, createContact(emulator, body), defaultVersion),
    },
    {
      method: 'PUT',
      path: '/contacts/:id',
      handler: ({ body, params }) =>
        contactView(emulator.ws, updateContact(emulator, params['id'] ?? '', body), defaultVersion),
    },
    {
      method: 'POST',
      path: '/contacts/:id/signup',
      handler: ({ body, params }) =>
        contactView(emulator.ws, signUpLead(emulator, params['id'] ?? '', body), defaultVersion),
    },
    { method: 'GET', path: '/faults', handler: () => ({ faults: emulator.faults.all() }) },
    {
      method: 'POST',
      path: '/faults',
      handler: ({ body }) => {
        const fault = emulator.faults.add(parse(faultSchema, body));
        return { id: fault.id };
      },
    },
    {
      method: 'DELETE',
      path: '/faults',
      handler: () => {
        emulator.faults.clear();
        return { ok: true };
      },
    },
    { method: 'GET', path: '/settings', handler: settings },
    {
      method: 'PUT',
      path: '/settings',
      handler: ({ body }) => {
        const next = parse(settingsSchema, body);
        if (next.latencyMs !== undefined) emulator.latencyMs = next.latencyMs;
        if (next.searchDelaySeconds !== undefined)
          emulator.searchDelaySeconds = next.searchDelaySeconds;
        if (next.rateLimitPerMinute !== undefined)
          emulator.limiter.perMinute = next.rateLimitPerMinute;
        const hooks = emulator.webhooks.settings;
        if (next.webhookRetryDelayMs !== undefined) hooks.retryDelayMs = next.webhookRetryDelayMs;
        if (next.webhookTimeoutMs !== undefined) hooks.timeoutMs = next.webhookTimeoutMs;
        if (next.webhookDuplicates !== undefined) hooks.duplicates = next.webhookDuplicates;
        if (next.webhookShuffle !== undefined) hooks.shuffle = next.webhookShuffle;
        return settings();
      },
    },
    {
      method: 'GET',
      path: '/webhooks',
      handler: () => ({ subscriptions: emulator.webhooks.list() }),
    },
    {
      method: 'POST',
      path: '/webhooks',
      handler: async ({ body }) => {
        const { verify, ...subscription } = parse(subscriptionSchema, body);
        if (verify && !(await answersHead(subscription.url)))
          throw new ApiError(
            400,
            'parameter_invalid',
            `${subscription.url} did not answer a HEAD request with 2xx: Intercom checks the endpoint URL this way when a subscription is saved`,
          );
        return emulator.webhooks.subscribe(subscription);
      },
    },
    {
      // Waits until every notification is delivered, failed or dropped (retries included).
      method: 'POST',
      path: '/webhooks/flush',
      handler: async () => {
        await emulator.webhooks.idle();
        return { ok: true };
      },
    },
    {
      method: 'GET',
      path: '/webhooks/deliveries',
      handler: () => ({ deliveries: emulator.webhooks.log }),
    },
    {
      method: 'DELETE',
      path: '/webhooks/:id',
      handler: ({ params }) => {
        if (!emulator.webhooks.unsubscribe(params['id'] ?? ''))
          throw notFound('No such subscription');
        return { ok: true };
      },
    },
    {
      method: 'POST',
      path: '/webhooks/:id/ping',
      handler: ({ params }) => {
        const subscription = emulator.webhooks.get(params['id'] ?? '');
        if (subscription === undefined) throw notFound('No such subscription');
        emulator.webhooks.emit(
          'ping',
          () => ({ type: 'ping', message: 'something something interzen' }),
          subscription,
        );
        return { ok: true };
      },
    },
    {
      method: 'POST',
      path: '/oauth/codes',
      handler: () => ({ code: mintCode(emulator) }),
    },
    {
      method: 'GET',
      path: '/stats',
      handler: () => ({
        calls: emulator.stats.calls,
        rate_limited: emulator.stats.rateLimited,
        faults_injected: emulator.stats.faultsInjected,
        webhooks_delivered: emulator.webhooks.delivered,
        webhooks_failed: emulator.webhooks.failed,
      }),
    },
  ];
}
