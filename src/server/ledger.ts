// Admin API over what the sync did: a record's timeline, the needs-attention list, and the two
// ways to act on it (replay, resolve). Mounted under /api, behind the admin token.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { personObjects } from '../core/index.ts';
import {
  failureCategories,
  type EventsRepository,
  type Failure,
  type FailuresRepository,
} from '../store/index.ts';
import { replayFailures, resolveFailure, type AttentionDeps } from '../sync/attention.ts';
import {
  parseRecordKey,
  recordSystems,
  recordTimeline,
  type TimelineDeps,
} from '../sync/timeline.ts';
import { errorResponse } from './errors.ts';
import { failureView, replayView, timelineView } from './ledger-views.ts';

export interface LedgerDeps {
  readonly events: Pick<EventsRepository, 'list' | 'append'>;
  readonly links: TimelineDeps['links'];
  readonly failures: Pick<FailuresRepository, 'get' | 'listOpen' | 'replay' | 'resolve' | 'record'>;
  /** Queues a replayed failure's record again (see runtime/requeue.ts). */
  readonly requeue: AttentionDeps['requeue'];
}

const page = {
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
};

const timelineQuery = z.strictObject({ type: z.enum(personObjects).optional(), ...page });

const failuresQuery = z.strictObject({
  system: z.enum(recordSystems).optional(),
  category: z.enum(failureCategories).optional(),
  record: z
    .string()
    .refine((key) => parseRecordKey(key) !== undefined, {
      error: 'is not a record key (intercom:contact:<id> or salesforce:<Lead|Contact>:<id>)',
    })
    .optional(),
  ...page,
});

const replayBody = z.union([
  z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(1000) }),
  z.strictObject({ all: z.literal(true) }),
]);

const resolveBody = z.strictObject({ note: z.string().trim().min(1).max(2000) });

const failureId = z.coerce.number().int().positive();

function zodDetails(error: z.ZodError) {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

const invalid = (c: Context, code: string, message: string, error: z.ZodError) =>
  errorResponse(c, 400, code, message, zodDetails(error));

const authorOf = (c: Context) => c.req.header('X-Tandem-Author') ?? 'admin-api';

async function jsonBody(c: Context): Promise<unknown> {
  return c.req.json().catch(() => undefined);
}

export function ledgerRoutes(deps: LedgerDeps): Hono {
  const app = new Hono();

  app.get('/records/:system/:id/timeline', async (c) => {
    const system = z.enum(recordSystems).safeParse(c.req.param('system'));
    if (!system.success)
      return invalid(c, 'invalid_path', 'the system is intercom or salesforce', system.error);
    const query = timelineQuery.safeParse(c.req.query());
    if (!query.success)
      return invalid(c, 'invalid_query', 'the query parameters are not valid', query.error);
    const { type, after, limit } = query.data;
    if (system.data === 'intercom' && type !== undefined)
      return errorResponse(c, 400, 'invalid_query', 'type is for Salesforce records only');
    const id = c.req.param('id');
    const lookup =
      system.data === 'intercom'
        ? { system: 'intercom' as const, id }
        : { system: 'salesforce' as const, id, ...(type === undefined ? {} : { type }) };
    const timeline = await recordTimeline(deps, lookup, {
      limit,
      ...(after === undefined ? {} : { after }),
    });
    if (after === undefined && timeline.link === null && timeline.events.length === 0)
      return errorResponse(
        c,
        404,
        'not_found',
        `Tandem has recorded nothing about ${system.data} record ${id}`,
      );
    const open: Failure[] = [];
    for (const recordKey of timeline.subjects)
      open.push(...(await deps.failures.listOpen({ recordKey })));
    return c.json(
      timelineView(
        timeline,
        open.sort((a, b) => a.id - b.id),
      ),
    );
  });

  app.get('/failures', async (c) => {
    const query = failuresQuery.safeParse(c.req.query());
    if (!query.success)
      return invalid(c, 'invalid_query', 'the query parameters are not valid', query.error);
    const { system, category, record, after, limit } = query.data;
    const failures = await deps.failures.listOpen({
      limit: limit + 1,
      ...(system === undefined ? {} : { system }),
      ...(category === undefined ? {} : { category }),
      ...(record === undefined ? {} : { recordKey: record }),
      ...(after === undefined ? {} : { after }),
    });
    const data = failures.slice(0, limit);
    const next = failures.length > limit ? (data.at(-1)?.id ?? null) : null;
    return c.json({ data: data.map(failureView), next });
  });

  app.post('/failures/replay', async (c) => {
    const json = await jsonBody(c);
    if (json === undefined)
      return errorResponse(c, 400, 'invalid_json', 'the body must be JSON: { "ids": [1, 2] }');
    const body = replayBody.safeParse(json);
    if (!body.success)
      return invalid(
        c,
        'invalid_body',
        'the body is { "ids": [1, 2] } or { "all": true }',
        body.error,
      );
    const outcome = await replayFailures(deps, body.data, authorOf(c));
    if (!outcome.ok)
      return errorResponse(
        c,
        404,
        'not_found',
        `no failure with id ${outcome.unknown.join(', ')}; nothing was replayed`,
        { unknown: outcome.unknown },
      );
    return c.json(replayView(outcome));
  });

  app.post('/failures/:id/resolve', async (c) => {
    const id = failureId.safeParse(c.req.param('id'));
    if (!id.success)
      return invalid(c, 'invalid_path', 'a failure id is a positive integer', id.error);
    const json = await jsonBody(c);
    if (json === undefined)
      return errorResponse(c, 400, 'invalid_json', 'the body must be JSON: { "note": "…" }');
    const body = resolveBody.safeParse(json);
    if (!body.success)
      return invalid(
        c,
        'invalid_body',
        'the body is { "note": "why it needs no replay" }',
        body.error,
      );
    const outcome = await resolveFailure(deps, id.data, body.data.note, authorOf(c));
    if (outcome.ok) return c.json(failureView(outcome.failure));
    if (outcome.reason === 'not_found')
      return errorResponse(c, 404, 'not_found', `no failure with id ${id.data}`);
    return errorResponse(
      c,
      409,
      'not_open',
      `failure ${id.data} already left the list (${outcome.failure.resolution ?? 'resolved'})`,
      failureView(outcome.failure),
    );
  });

  return app;
}
