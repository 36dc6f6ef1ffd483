// The HTTP surface: OAuth, the versioned REST API (auth, limits, JSON in and out), with latency
// and fault injection in front and the control plane beside it.
import { Hono } from 'hono';
import type { EmulatorContext } from '../context.ts';
import { makeDispatcher, type ExtraRoute } from '../rest/dispatch.ts';
import type { RestRequest, RestResponse } from '../rest/types.ts';
import type { Faults, Stats } from './faults.ts';
import { registerOAuth } from './oauth.ts';

export const minVersion = 42;
export const maxVersion = 64;

const jsonType = 'application/json;charset=UTF-8';

export interface AppOptions {
  readonly ctx: EmulatorContext;
  readonly faults: Faults;
  readonly stats: Stats;
  /** Added to every API response (the control plane can change it). */
  latency: { ms: number };
  readonly extraRoutes?: Record<string, ExtraRoute>;
  readonly registerControl?: (app: Hono) => void;
}

function versionLabel(v: number): string {
  const i = v - 42;
  const season = ['Spring', 'Summer', 'Winter'][i % 3] as string;
  const year = 18 + Math.floor((i + 1) / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

export function versionsList(): { label: string; url: string; version: string }[] {
  const list = [];
  for (let v = minVersion; v <= maxVersion; v++) {
    list.push({ label: versionLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return list;
}

function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': jsonType, ...headers },
  });
}

/** Jackson-like wording, which is what Salesforce answers for unparseable JSON. */
function jsonParseMessage(text: string, error: unknown): string {
  const message = String(error);
  let pos = -1;
  const at = /position (\d+)/.exec(message);
  if (at) pos = Number(at[1]);
  const token = /Unexpected token '(.)'/.exec(message);
  if (pos < 0 && token) {
    // V8 names the character but not where it is: the first one outside a string literal.
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === token[1]) {
        pos = i;
        break;
      }
    }
  }
  if (pos < 0 || pos >= text.length) {
    return `Unexpected end-of-input: expected close marker for OBJECT at [line:1, column:${text.length + 1}]`;
  }
  const ch = text[pos] ?? '';
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `Unexpected character ('${ch}' (code ${ch.charCodeAt(0)})): expected a valid value (number, String, array, object, 'true', 'false' or 'null') at [line:${line}, column:${column}]`;
}

function header(headers: Headers, name: string): string | null {
  return headers.get(name);
}

function clientOf(callOptions: string | null): string | null {
  const m = /(?:^|[,;\s])client\s*=\s*([^,;\s]+)/i.exec(callOptions ?? '');
  return m ? (m[1] as string) : null;
}

export function buildApp(options: AppOptions): Hono {
  const { ctx, faults, stats } = options;
  const app = new Hono();
  const { dispatchAsync } = makeDispatcher(ctx, options.extraRoutes);

  app.onError((error, c) => {
    if (new URL(c.req.url).pathname.startsWith('/__emulator')) {
      // Control-plane requests that cannot be carried out (a bad seed, bad JSON) are the caller's.
      return new Response(
        JSON.stringify({ error: { code: 'bad_request', message: error.message } }),
        {
          status: 400,
          headers: { 'content-type': 'application/json' },
        },
      );
    }
    // A bug must not take the emulator down: answer as Salesforce does for an internal error.
    console.error('salesforce emulator: unhandled error', error);
    return jsonResponse(500, [
      {
        errorCode: 'UNKNOWN_EXCEPTION',
        message:
          'An unexpected error occurred. Please include this ErrorId if you contact support: 0-0 (emulator)',
      },
    ]);
  });

  options.registerControl?.(app);

  app.use('*', async (c, next) => {
    const path = c.req.path;
    if (path.startsWith('/__emulator') || path.startsWith('/cometd')) return next();
    stats.count(c.req.method, path);
    if (options.latency.ms > 0) await new Promise((r) => setTimeout(r, options.latency.ms));
    const fault = faults.match(c.req.method, path);
    if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault?.status !== undefined) {
      return jsonResponse(fault.status, [
        {
          message: fault.message ?? 'Injected fault',
          errorCode: fault.errorCode ?? 'SERVER_UNAVAILABLE',
        },
      ]);
    }
    return next();
  });

  registerOAuth(app, ctx);

  app.get('/services/data', () => jsonResponse(200, versionsList()));
  app.get('/services/data/', () => jsonResponse(200, versionsList()));

  app.all('/services/data/:version/*', async (c) => {
    const url = new URL(c.req.url);
    const m = /^v(\d+)\.(\d)$/.exec(c.req.param('version'));
    const major = m ? Number(m[1]) : 0;
    if (!m || major < minVersion || major > maxVersion) {
      return jsonResponse(404, [
        { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
      ]);
    }
    const version = `${major}.${m[2]}`;
    const headers = c.req.raw.headers;
    const auth = header(headers, 'authorization') ?? '';
    const token = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth)?.[1]?.trim();
    const session = token ? ctx.auth.verify(token) : null;
    if (!session || session === 'expired') {
      return jsonResponse(401, [
        { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
      ]);
    }
    if (!ctx.limits.take()) {
      return jsonResponse(
        403,
        [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
        {
          'Sforce-Limit-Info': ctx.limits.header(),
        },
      );
    }
    const limitHeader = { 'Sforce-Limit-Info': ctx.limits.header() };
    const text = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text();
    const contentType = header(headers, 'content-type') ?? '';
    let body: unknown;
    if (text.trim() !== '' && !contentType.includes('csv')) {
      try {
        body = JSON.parse(text);
      } catch (error) {
        return jsonResponse(
          400,
          [{ message: jsonParseMessage(text, error), errorCode: 'JSON_PARSER_ERROR' }],
          limitHeader,
        );
      }
    }
    const client = clientOf(header(headers, 'sforce-call-options'));
    // Only the headers the handlers read (composite subrequests inherit them).
    const lowerHeaders: Record<string, string> = {};
    for (const name of [
      'sforce-query-options',
      'sforce-call-options',
      'sforce-duplicate-rule-header',
      'content-type',
      'accept',
    ]) {
      const value = headers.get(name);
      if (value !== null) lowerHeaders[name] = value;
    }
    const rest = url.pathname.slice(`/services/data/${c.req.param('version')}/`.length);
    const req: RestRequest = {
      method: c.req.method === 'HEAD' ? 'GET' : c.req.method,
      segments: rest
        .split('/')
        .filter(Boolean)
        .map((s) => {
          try {
            return decodeURIComponent(s);
          } catch {
            return s;
          }
        }),
      query: url.searchParams,
      body,
      text,
      headers: lowerHeaders,
      version,
      actor: {
        userId: session.userId,
        origin: `com/salesforce/api/rest/${version}${client ? `;client=${client}` : ''}`,
        allowDuplicateSave: /allowSave\s*=\s*true/i.test(
          header(headers, 'sforce-duplicate-rule-header') ?? '',
        ),
      },
    };
    const res: RestResponse = await dispatchAsync(req);
    const out = { ...limitHeader, ...(res.headers ?? {}) };
    if (res.status === 204 || (res.body === undefined && res.raw === undefined)) {
      return new Response(null, { status: res.status, headers: out });
    }
    if (res.raw !== undefined) {
      return new Response(res.raw, {
        status: res.status,
        headers: { 'content-type': res.contentType ?? jsonType, ...out },
      });
    }
    return jsonResponse(res.status, res.body, out);
  });

  app.notFound(() =>
    jsonResponse(404, [
      { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
    ]),
  );
  return app;
}
