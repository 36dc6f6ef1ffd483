import { Hono } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import type {
  MigrationStatus,
  Setting,
  SettingsRepository,
  EventsRepository,
} from '../store/index.ts';
import { errorResponse } from './errors.ts';
import { backfillRoutes } from './backfills.ts';
import { ledgerRoutes, type LedgerDeps } from './ledger.ts';
import type { BackfillService } from '../backfill/index.ts';
import type { JobCount, Metrics } from './metrics.ts';
import { webhookRoutes, type WebhookIntake } from './webhooks.ts';

/** An exhausted job as the admin API shows it. */
export interface FailedJobView {
  readonly id: string;
  readonly task: string;
  readonly attempts: number;
  readonly lastError: string | null;
}

export interface ServerDeps {
  readonly version: string;
  readonly databaseKind: 'sqlite' | 'postgres';
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly database: {
    ping(): Promise<void>;
    migrationStatus(): Promise<MigrationStatus>;
  };
  readonly settings: SettingsRepository;
  readonly events: EventsRepository;
  readonly jobs: {
    counts(): Promise<readonly JobCount[]>;
    failed(): Promise<readonly FailedJobView[]>;
  };
  /** Timelines, the needs-attention list, replay and resolve. */
  readonly ledger: LedgerDeps;
  /** Intake of signed webhooks: verify, store, queue. Not behind the admin token. */
  readonly webhooks: WebhookIntake;
  /** Whether a bearer token is the admin token (compared in constant time by the caller). */
  isAdminToken(token: string): boolean;
  /** The API budget governor's state, for `GET /api/status` (absent: no budget section). */
  readonly budget?: () => unknown;
  /** Backfills: `/api/backfills` (absent: no such routes). */
  readonly backfills?: BackfillService;
}

const settingBody = z.object({
  value: z.unknown().refine((value) => value !== undefined, { error: 'is required' }),
  expectedVersion: z.number().int().min(0).optional(),
});

const eventsQuery = z.object({
  kind: z.string().optional(),
  subject: z.string().optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const settingView = (setting: Setting) => ({
  key: setting.key,
  value: setting.value,
  version: setting.version,
  updatedAt: setting.updatedAt.toISOString(),
  updatedBy: setting.updatedBy,
});

function zodDetails(error: z.ZodError) {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();

  app.onError((error, c) => {
    deps.log.error({ err: error, path: c.req.path }, 'request failed');
    return errorResponse(
      c,
      500,
      'internal',
      'Tandem could not answer this request; the error is in its log.',
    );
  });
  app.notFound((c) =>
    errorResponse(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok', version: deps.version }));

  app.get('/readyz', async (c) => {
    const checks: Record<string, string> = {};
    try {
      await deps.database.ping();
      checks['database'] = 'ok';
      const status = await deps.database.migrationStatus();
      checks['migrations'] =
        status.altered.length > 0
          ? `altered after being applied: ${status.altered.map((m) => m.id).join(', ')}`
          : status.pending.length > 0
            ? `pending: ${status.pending.map((m) => m.id).join(', ')}`
            : 'ok';
    } catch (error) {
      checks['database'] = `unreachable: ${(error as Error).message}`;
    }
    const ready = Object.values(checks).every((value) => value === 'ok') && 'migrations' in checks;
    if (ready) return c.json({ status: 'ready', checks });
    return errorResponse(c, 503, 'not_ready', 'Tandem is not ready to work', checks);
  });

  app.get('/metrics', async (c) => {
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { 'Content-Type': deps.metrics.registry.contentType });
  });

  // Intercom signs its deliveries; the signature, not the admin token, is their credential.
  app.route('/webhooks', webhookRoutes({ log: deps.log, intake: deps.webhooks }));

  const api = new Hono();
  api.use('*', async (c, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '');
    if (match?.[1] === undefined || !deps.isAdminToken(match[1])) {
      c.header('WWW-Authenticate', 'Bearer realm="tandem"');
      const message = match
        ? 'that admin token is not valid'
        : 'the admin API needs an Authorization: Bearer <TANDEM_ADMIN_TOKEN> header';
      return errorResponse(c, 401, 'unauthorized', message);
    }
    await next();
  });

  api.get('/status', async (c) => {
    const [migrations, jobs] = await Promise.all([
      deps.database.migrationStatus(),
      deps.jobs.counts(),
    ]);
    return c.json({
      version: deps.version,
      database: deps.databaseKind,
      migrations: {
        applied: migrations.applied.length,
        pending: migrations.pending.map((m) => m.id),
      },
      jobs,
      ...(deps.budget ? { budget: deps.budget() } : {}),
    });
  });

  api.get('/settings', async (c) =>
    c.json({ data: (await deps.settings.list()).map(settingView) }),
  );

  api.get('/settings/:key', async (c) => {
    const setting = await deps.settings.get(c.req.param('key'));
    if (!setting) return errorResponse(c, 404, 'not_found', `no setting ${c.req.param('key')}`);
    return c.json(settingView(setting));
  });

  api.put('/settings/:key', async (c) => {
    const json: unknown = await c.req.json().catch(() => undefined);
    if (json === undefined)
      return errorResponse(c, 400, 'invalid_json', 'the body must be JSON: { "value": … }');
    const body = settingBody.safeParse(json);
    if (!body.success)
      return errorResponse(
        c,
        400,
        'invalid_body',
        'the body does not fit { value, expectedVersion? }',
        zodDetails(body.error),
      );
    const author = c.req.header('X-Tandem-Author') ?? 'admin-api';
    try {
      const setting = await deps.settings.set(
        c.req.param('key'),
        body.data.value,
        author,
        body.data.expectedVersion,
      );
      return c.json(settingView(setting));
    } catch (error) {
      if ((error as Error).name === 'VersionConflictError')
        return errorResponse(c, 409, 'version_conflict', (error as Error).message);
      throw error;
    }
  });

  api.get('/settings/:key/history', async (c) => {
    const history = await deps.settings.history(c.req.param('key'));
    return c.json({
      data: history.map((h) => ({ ...h, changedAt: h.changedAt.toISOString() })),
    });
  });

  api.get('/events', async (c) => {
    const query = eventsQuery.safeParse(c.req.query());
    if (!query.success)
      return errorResponse(
        c,
        400,
        'invalid_query',
        'the query parameters are not valid',
        zodDetails(query.error),
      );
    const { kind, subject, after, limit } = query.data;
    const events = await deps.events.list({
      limit,
      ...(kind === undefined ? {} : { kind }),
      ...(subject === undefined ? {} : { subject }),
      ...(after === undefined ? {} : { after }),
    });
    return c.json({ data: events.map((e) => ({ ...e, at: e.at.toISOString() })) });
  });

  api.get('/jobs', async (c) => c.json({ data: await deps.jobs.counts() }));
  api.get('/jobs/failed', async (c) => c.json({ data: await deps.jobs.failed() }));
  api.route('/', ledgerRoutes(deps.ledger));
  if (deps.backfills) api.route('/', backfillRoutes(deps.backfills));

  app.route('/api', api);
  return app;
}
