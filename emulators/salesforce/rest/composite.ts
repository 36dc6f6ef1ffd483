// /composite (up to 25 subrequests, `@{ref.field}` references, allOrNone in one transaction,
// always HTTP 200) and /composite/batch (independent subrequests, haltOnError).
import type { EmulatorContext } from '../context.ts';
import { Tx } from '../write/tx.ts';
import {
  errorResponse,
  isRecord,
  methodNotAllowed,
  ok,
  type RestRequest,
  type RestResponse,
} from './types.ts';

export type Dispatch = (req: RestRequest) => RestResponse;

const maxSubrequests = 25;

function lookupPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

class MissingReference extends Error {}

function substitute(value: unknown, results: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([A-Za-z0-9_]+)((?:\.|\[)[^}]*)\}$/.exec(value);
    const resolveRef = (ref: string, path: string): unknown => {
      if (!results.has(ref)) throw new MissingReference(ref);
      const found = lookupPath(results.get(ref), path.replace(/^\./, ''));
      if (found === undefined) throw new MissingReference(ref);
      return found;
    };
    if (whole) return resolveRef(whole[1] as string, whole[2] as string);
    return value.replace(/@\{([A-Za-z0-9_]+)((?:\.|\[)[^}]*)\}/g, (_m, ref: string, path: string) =>
      String(resolveRef(ref, path)),
    );
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, results);
    return out;
  }
  return value;
}

function subrequest(
  parent: RestRequest,
  method: string,
  url: string,
  body: unknown,
  headers: Record<string, string>,
): RestRequest | RestResponse {
  const m =
    /^\/services\/data\/v(\d+\.\d)\/([^?]*)(?:\?(.*))?$/.exec(url) ??
    /^v(\d+\.\d)\/([^?]*)(?:\?(.*))?$/.exec(url);
  if (!m)
    return errorResponse(
      400,
      'INVALID_INPUT',
      `The URL ${url} is not a valid composite subrequest URL`,
    );
  return {
    method: method.toUpperCase(),
    segments: (m[2] as string).split('/').filter(Boolean),
    query: new URLSearchParams(m[3] ?? ''),
    body,
    text: '',
    headers: {
      ...parent.headers,
      ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    },
    version: m[1] as string,
    actor: parent.actor,
  };
}

function responseHeaders(res: RestResponse): Record<string, string> {
  return { ...(res.headers ?? {}) };
}

export function compositeHandler(
  ctx: EmulatorContext,
  req: RestRequest,
  dispatch: Dispatch,
): RestResponse {
  if (req.method !== 'POST') return methodNotAllowed(req.method, ['POST']);
  const body = req.body;
  if (!isRecord(body) || !Array.isArray(body['compositeRequest'])) {
    return errorResponse(
      400,
      'JSON_PARSER_ERROR',
      'The request body must contain a compositeRequest array',
    );
  }
  const items = body['compositeRequest'] as unknown[];
  if (items.length > maxSubrequests) {
    return errorResponse(
      400,
      'LIMIT_EXCEEDED',
      `Composite requests cannot have more than ${maxSubrequests} subrequests`,
    );
  }
  const allOrNone = body['allOrNone'] === true;
  const results = new Map<string, unknown>();
  const out: {
    body: unknown;
    httpHeaders: Record<string, string>;
    httpStatusCode: number;
    referenceId: string;
  }[] = [];
  const tx = allOrNone ? new Tx(ctx.org) : null;
  ctx.org.ambientTx = tx;
  let failed = false;
  try {
    for (const raw of items) {
      if (
        !isRecord(raw) ||
        typeof raw['url'] !== 'string' ||
        typeof raw['method'] !== 'string' ||
        typeof raw['referenceId'] !== 'string'
      ) {
        return errorResponse(
          400,
          'JSON_PARSER_ERROR',
          'Each subrequest needs method, url and referenceId',
        );
      }
      const referenceId = raw['referenceId'];
      if (failed && allOrNone) {
        out.push({
          body: [
            {
              errorCode: 'PROCESSING_HALTED',
              message:
                'The transaction was rolled back since another operation in the same transaction failed.',
            },
          ],
          httpHeaders: {},
          httpStatusCode: 400,
          referenceId,
        });
        continue;
      }
      let res: RestResponse;
      try {
        const url = substitute(raw['url'], results) as string;
        const subBody = raw['body'] === undefined ? undefined : substitute(raw['body'], results);
        const headers = isRecord(raw['httpHeaders'])
          ? (raw['httpHeaders'] as Record<string, string>)
          : {};
        const sub = subrequest(req, raw['method'], url, subBody, headers);
        res = 'status' in sub ? sub : dispatch(sub);
      } catch (error) {
        if (!(error instanceof MissingReference)) throw error;
        res = errorResponse(
          400,
          'PROCESSING_HALTED',
          `Invalid reference specified. No value for ${error.message} found. Provided referenceId ('${error.message}') isn't valid or its request failed.`,
        );
      }
      const resBody = res.raw !== undefined ? JSON.parse(res.raw) : (res.body ?? null);
      if (res.status < 400) results.set(referenceId, resBody);
      else failed = true;
      out.push({
        body: resBody,
        httpHeaders: responseHeaders(res),
        httpStatusCode: res.status,
        referenceId,
      });
    }
  } finally {
    ctx.org.ambientTx = null;
  }
  if (tx) {
    if (failed) {
      tx.rollback();
      for (const item of out) {
        if (item.httpStatusCode < 400) {
          item.body = [
            {
              errorCode: 'PROCESSING_HALTED',
              message:
                'The transaction was rolled back since another operation in the same transaction failed.',
            },
          ];
          item.httpStatusCode = 400;
          item.httpHeaders = {};
        }
      }
    } else tx.commit();
  }
  return ok({ compositeResponse: out });
}

export function batchHandler(
  _ctx: EmulatorContext,
  req: RestRequest,
  dispatch: Dispatch,
): RestResponse {
  if (req.method !== 'POST') return methodNotAllowed(req.method, ['POST']);
  const body = req.body;
  if (!isRecord(body) || !Array.isArray(body['batchRequests'])) {
    return errorResponse(
      400,
      'JSON_PARSER_ERROR',
      'The request body must contain a batchRequests array',
    );
  }
  const items = body['batchRequests'] as unknown[];
  if (items.length > maxSubrequests)
    return errorResponse(
      400,
      'LIMIT_EXCEEDED',
      `Batch requests cannot have more than ${maxSubrequests} subrequests`,
    );
  const haltOnError = body['haltOnError'] === true;
  let hasErrors = false;
  const results: { statusCode: number; result: unknown }[] = [];
  for (const raw of items) {
    if (hasErrors && haltOnError) {
      results.push({
        statusCode: 412,
        result: [
          { errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' },
        ],
      });
      continue;
    }
    if (!isRecord(raw) || typeof raw['url'] !== 'string' || typeof raw['method'] !== 'string') {
      return errorResponse(400, 'JSON_PARSER_ERROR', 'Each batch request needs method and url');
    }
    const sub = subrequest(req, raw['method'], raw['url'], raw['richInput'], {});
    const res = 'status' in sub ? sub : dispatch(sub);
    if (res.status >= 400) hasErrors = true;
    results.push({
      statusCode: res.status,
      result: res.raw !== undefined ? JSON.parse(res.raw) : (res.body ?? null),
    });
  }
  return ok({ hasErrors, results });
}
