// Routes a REST request (path after /services/data/vXX.X/) to its handler.
import type { EmulatorContext } from '../context.ts';
import { collectionsHandler } from './collections.ts';
import { batchHandler, compositeHandler } from './composite.ts';
import { queryHandler } from './query.ts';
import { sobjectsHandler } from './sobjects.ts';
import { methodNotAllowed, notFound, ok, type RestRequest, type RestResponse } from './types.ts';

export type ExtraRoute = (
  ctx: EmulatorContext,
  req: RestRequest,
) => RestResponse | Promise<RestResponse>;

export function makeDispatcher(ctx: EmulatorContext, extra: Record<string, ExtraRoute> = {}) {
  const dispatch = (req: RestRequest): RestResponse => {
    const [head, second] = req.segments;
    switch (head) {
      case undefined:
        if (req.method !== 'GET') return methodNotAllowed(req.method, ['HEAD', 'GET']);
        return ok(resources(req.version));
      case 'sobjects':
        return sobjectsHandler(ctx, req);
      case 'query':
        return queryHandler(ctx, req, false);
      case 'queryAll':
        return queryHandler(ctx, req, true);
      case 'limits':
        if (req.segments.length > 1) return notFound();
        if (req.method !== 'GET') return methodNotAllowed(req.method, ['HEAD', 'GET']);
        return ok(ctx.limits.report());
      case 'composite':
        if (second === undefined) return compositeHandler(ctx, req, dispatch);
        if (second === 'sobjects') return collectionsHandler(ctx, req);
        if (second === 'batch' && req.segments.length === 2)
          return batchHandler(ctx, req, dispatch);
        return notFound();
      default:
        return notFound();
    }
  };
  /** Top-level requests may also reach async routes (Bulk 2.0). */
  const dispatchAsync = async (req: RestRequest): Promise<RestResponse> => {
    const route = req.segments[0] !== undefined ? extra[req.segments[0]] : undefined;
    if (route) return route(ctx, req);
    return dispatch(req);
  };
  return { dispatch, dispatchAsync };
}

function resources(version: string): Record<string, string> {
  const base = `/services/data/v${version}`;
  return {
    tooling: `${base}/tooling`,
    metadata: `${base}/metadata`,
    eclair: `${base}/eclair`,
    folders: `${base}/folders`,
    prechatForms: `${base}/prechatForms`,
    jobs: `${base}/jobs`,
    query: `${base}/query`,
    queryAll: `${base}/queryAll`,
    sobjects: `${base}/sobjects`,
    limits: `${base}/limits`,
    composite: `${base}/composite`,
    recent: `${base}/recent`,
    search: `${base}/search`,
  };
}
