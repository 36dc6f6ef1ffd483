// The HTTP face of the emulator (Hono): control plane under /__emulator (no auth), then for the
// API: injected faults and latency, the rate limit (headers on every response), the Bearer
// token, Intercom-Version, the JSON body, and Intercom's error envelope for every failure.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono, type Context } from 'hono';
import type { ApiRequest } from './context.ts';
import { controlRoutes, type ControlOptions } from './control.ts';
import type { Emulator } from './emulator.ts';
import { credentials } from './emulator.ts';
import { ApiError, errorEnvelope } from './errors.ts';
import { defaultCode } from './faults.ts';
import type { Route } from './route.ts';
import { adminRoutes } from './routes/admins.ts';
import { companyRoutes } from './routes/companies.ts';
import { contactRoutes } from './routes/contacts.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { dataAttributeRoutes } from './routes/data-attributes.ts';
import { consent, oauthRoutes } from './routes/oauth.ts';
import { tagRoutes } from './routes/tags.ts';
import { parseVersion } from './versions.ts';

type Env = { Variables: { requestId: string; rateHeaders: Record<string, string> } };

// Literal paths come before parameterised ones (Hono answers with the first match).
const apiRoutes: Route[] = [
  ...adminRoutes,
  ...contactRoutes,
  ...companyRoutes,
  ...tagRoutes,
  ...dataAttributeRoutes,
  ...conversationRoutes,
];

async function readBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'parameter_invalid', 'There was a problem parsing the JSON body');
  }
}

/** The app a Bearer token belongs to: the private app's fixed token, or an OAuth token of the
 * public app; undefined for anything else. */
function appOf(emulator: Emulator, header: string | undefined): 'private' | 'public' | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const token = match?.[1]?.trim();
  if (token === credentials.accessToken) return 'private';
  if (token !== undefined && emulator.ws.extraTokens.has(token)) return 'public';
  return undefined;
}

export function buildApp(emulator: Emulator, options: ControlOptions = {}): Hono<Env> {
  const app = new Hono<Env>();

  app.onError((error, c) => {
    const requestId = c.get('requestId') ?? randomUUID();
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json(
        errorEnvelope(requestId, error.code, error.message, error.field),
        error.status as 400,
      );
    }
    console.error('intercom emulator: unexpected error', error);
    return c.json(errorEnvelope(requestId, 'server_error', 'Internal server error'), 500);
  });

  app.notFound((c) => {
    if (!c.req.path.startsWith('/__emulator'))
      emulator.stats.calls['unmatched'] = (emulator.stats.calls['unmatched'] ?? 0) + 1;
    return c.json(
      errorEnvelope(c.get('requestId') ?? randomUUID(), 'not_found', 'Resource Not Found'),
      404,
    );
  });

  // Hono runs matching handlers in registration order: the control plane and the consent page,
  // registered before the API middleware below, answer without meeting auth or rate limits.
  for (const control of controlRoutes(emulator, options)) {
    app.on(control.method, `/__emulator${control.path}`, async (c) => {
      const body = c.req.method === 'GET' ? undefined : await readBody(c);
      const result = await control.handler({
        body,
        params: c.req.param() as Record<string, string>,
        query: new URL(c.req.url).searchParams,
      });
      return c.json(result ?? { ok: true }, 200);
    });
  }

  // The OAuth consent screen is a page of app.intercom.com, outside the API's auth and limits.
  app.get('/oauth', (c) => consent(emulator, c));

  app.use('*', async (c, next) => {
    c.set('requestId', randomUUID());
    if (c.req.path.startsWith('/__emulator')) return next();
    const fault = emulator.faults.take(c.req.method, c.req.path);
    const latency = emulator.latencyMs + (fault?.latencyMs ?? 0);
    if (latency > 0) await sleep(latency);
    // Calls without a valid token belong to no app: they are answered 401 with the current
    // window's headers, without spending the app's budget.
    // The OAuth exchange itself is the public app's call.
    const app = c.req.path.startsWith('/auth/')
      ? 'public'
      : appOf(emulator, c.req.header('authorization'));
    const known = app !== undefined;
    const rate = known
      ? emulator.limiter.take(emulator.clock(), app)
      : emulator.limiter.peek(emulator.clock());
    c.set('rateHeaders', rate.headers);
    try {
      if (!known) throw new ApiError(401, 'unauthorized', 'Access Token Invalid');
      if (!rate.allowed) {
        emulator.stats.rateLimited += 1;
        throw new ApiError(
          429,
          'rate_limit_exceeded',
          `You have exceeded the rate limit of ${emulator.limiter.perMinute} calls per minute (${emulator.limiter.perWindow} per 10 seconds)`,
        );
      }
      if (fault?.status !== undefined) {
        emulator.stats.faultsInjected += 1;
        throw new ApiError(
          fault.status,
          fault.code ?? defaultCode(fault.status),
          fault.message ?? 'Injected fault',
        );
      }
      await next();
    } catch (error) {
      // Errors thrown here (before routing) take the same path as handler errors.
      if (!(error instanceof ApiError)) throw error;
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      c.res = c.json(
        errorEnvelope(c.get('requestId'), error.code, error.message, error.field),
        error.status as 400,
      );
    }
    for (const [name, value] of Object.entries(rate.headers)) c.res.headers.set(name, value);
  });

  for (const oauth of oauthRoutes(emulator)) {
    app.on(oauth.method, oauth.path, async (c) => {
      const result = oauth.handler({ body: await readBody(c) });
      return c.json(result, 200);
    });
  }

  for (const api of apiRoutes) {
    const endpoint = `${api.method} ${api.path}`;
    app.on(api.method, api.path, async (c) => {
      emulator.stats.calls[endpoint] = (emulator.stats.calls[endpoint] ?? 0) + 1;
      const version = parseVersion(c.req.header('intercom-version'));
      const req: ApiRequest = {
        ops: emulator,
        version,
        params: c.req.param() as Record<string, string>,
        query: new URL(c.req.url).searchParams,
        body: api.method === 'GET' ? undefined : await readBody(c),
      };
      const result = await api.handler(req);
      if (result === undefined) return c.body(null, 200);
      return c.json(result as object, 200);
    });
  }
  return app;
}
