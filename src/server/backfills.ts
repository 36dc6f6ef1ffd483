// The backfills over HTTP, behind the admin token: `GET /api/backfills` (newest first, with the
// progress `tandem backfill` shows: records done and total, rate, ETA, errors, and the summary
// once finished), `GET /api/backfills/{id}`, and `POST /api/backfills` to start one (or pick
// the unfinished one up again).
import { Hono } from 'hono';
import { z } from 'zod';
import { directions, personObjects } from '../core/index.ts';
import type { BackfillService } from '../backfill/index.ts';
import type { Backfill } from '../store/index.ts';
import { errorResponse } from './errors.ts';

const startBody = z.strictObject({
  direction: z.enum(directions).default('both'),
  objects: z.array(z.enum(personObjects)).min(1).default(['Lead', 'Contact']),
});

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** Progress with its rate (records/s since the start) and ETA in seconds (null: unknown). */
export function backfillView(service: BackfillService, backfill: Backfill, at: number) {
  const progress = service.progress(backfill);
  const end = progress.finishedAt ?? at;
  const seconds = Math.max(0.001, (end - progress.startedAt) / 1000);
  const rate = progress.done / seconds;
  const left = progress.total === null ? null : Math.max(0, progress.total - progress.done);
  return {
    ...progress,
    startedAt: new Date(progress.startedAt).toISOString(),
    updatedAt: new Date(progress.updatedAt).toISOString(),
    finishedAt: progress.finishedAt === null ? null : new Date(progress.finishedAt).toISOString(),
    rate: Math.round(rate * 10) / 10,
    etaSeconds:
      progress.status !== 'running'
        ? 0
        : left === null || rate === 0
          ? null
          : Math.round(left / rate),
    summary: service.summary(backfill),
  };
}

function problems(error: z.ZodError) {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

export function backfillRoutes(service: BackfillService, now: () => number = Date.now): Hono {
  const routes = new Hono();
  routes.get('/backfills', async (c) => {
    const query = listQuery.safeParse(c.req.query());
    if (!query.success)
      return errorResponse(
        c,
        400,
        'invalid_query',
        'the query is not valid',
        problems(query.error),
      );
    const backfills = await service.list(query.data.limit);
    return c.json({ data: backfills.map((b) => backfillView(service, b, now())) });
  });
  routes.get('/backfills/:id', async (c) => {
    const id = Number(c.req.param('id'));
    const backfill = Number.isInteger(id) ? await service.get(id) : undefined;
    if (!backfill) return errorResponse(c, 404, 'not_found', `no backfill ${c.req.param('id')}`);
    return c.json({ data: backfillView(service, backfill, now()) });
  });
  routes.post('/backfills', async (c) => {
    let body: unknown = {};
    const text = await c.req.text();
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return errorResponse(c, 400, 'invalid_json', 'the body is not JSON');
      }
    }
    const parsed = startBody.safeParse(body);
    if (!parsed.success)
      return errorResponse(c, 400, 'invalid_body', 'the body is not valid', problems(parsed.error));
    const { backfill, resumed } = await service.start(parsed.data);
    return c.json({ data: backfillView(service, backfill, now()), resumed }, resumed ? 200 : 202);
  });
  return routes;
}
