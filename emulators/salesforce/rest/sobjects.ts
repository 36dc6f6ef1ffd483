// /sobjects: describeGlobal, describe, create, retrieve, update, delete, upsert by external ID,
// and the replication resources /updated and /deleted.
import { transact, type EmulatorContext } from '../context.ts';
import { canonicalId, keyPrefixOf } from '../ids.ts';
import type { Field } from '../schema/field.ts';
import type { SObjectType } from '../schema/sobject.ts';
import { renderRecord } from '../store/render.ts';
import type { Table } from '../store/table.ts';
import { formatDateTime, parseDateTime } from '../store/values.ts';
import type { SaveResult } from '../write/errors.ts';
import {
  errorResponse,
  isRecord,
  methodNotAllowed,
  noContent,
  notFound,
  ok,
  saveErrorResponse,
  type RestRequest,
  type RestResponse,
} from './types.ts';

export function describeGlobal(ctx: EmulatorContext, req: RestRequest): RestResponse {
  if (req.method !== 'GET') return methodNotAllowed(req.method, ['HEAD', 'GET']);
  return ok({
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: ctx.org.schema.all().map((t) => t.globalEntry(req.version)),
  });
}

export function sobjectsHandler(ctx: EmulatorContext, req: RestRequest): RestResponse {
  const [, typeName, second, ...rest] = req.segments;
  if (typeName === undefined) return describeGlobal(ctx, req);
  const table = ctx.org.table(typeName);
  if (!table) return notFound();
  const type = table.type;
  if (second === undefined) {
    if (req.method === 'POST') return create(ctx, req, type);
    if (req.method === 'GET')
      return ok({ objectDescribe: type.globalEntry(req.version), recentItems: [] });
    return methodNotAllowed(req.method, ['HEAD', 'GET', 'POST']);
  }
  if (rest.length === 0) {
    if (second === 'describe') {
      if (req.method !== 'GET') return methodNotAllowed(req.method, ['HEAD', 'GET']);
      return {
        status: 200,
        raw: type.describe(req.version, ctx.baseUrl),
        contentType: 'application/json;charset=UTF-8',
      };
    }
    if (second === 'updated' || second === 'deleted') {
      if (req.method !== 'GET') return methodNotAllowed(req.method, ['HEAD', 'GET']);
      return second === 'updated' ? updated(ctx, req, table) : deleted(ctx, req, table);
    }
    return byId(ctx, req, table, second);
  }
  if (second === 'describe') return notFound();
  return byExternalId(ctx, req, table, second, rest.join('/'));
}

function create(ctx: EmulatorContext, req: RestRequest, type: SObjectType): RestResponse {
  if (!isRecord(req.body))
    return errorResponse(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  const body = req.body;
  const result = transact(
    ctx.org,
    (tx) => ctx.writer.create(tx, req.actor, type.name, body),
    (r) => r.ok,
  );
  if (!result.ok) return saveErrorResponse(result.errors);
  return ok({ id: result.id, success: true, errors: [] }, 201, {
    Location: `/services/data/v${req.version}/sobjects/${type.name}/${result.id}`,
  });
}

function selectedFields(type: SObjectType, list: string | null): Field[] | RestResponse {
  if (list === null || list === '') return type.fields;
  const fields: Field[] = [];
  for (const name of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const field = type.field(name);
    if (!field)
      return errorResponse(
        400,
        'INVALID_FIELD',
        `No such column '${name}' on sobject of type ${type.name}`,
      );
    fields.push(field);
  }
  return fields;
}

function byId(ctx: EmulatorContext, req: RestRequest, table: Table, rawId: string): RestResponse {
  const type = table.type;
  const id = canonicalId(rawId);
  if (!id) {
    if (req.method === 'GET' || req.method === 'DELETE' || req.method === 'PATCH') {
      return errorResponse(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${rawId}`,
      );
    }
    return methodNotAllowed(req.method, ['HEAD', 'GET', 'PATCH', 'DELETE']);
  }
  switch (req.method) {
    case 'GET': {
      const row = keyPrefixOf(id) === type.keyPrefix ? table.get(id) : undefined;
      if (!row || row['IsDeleted'] === true) return notFound();
      const fields = selectedFields(type, req.query.get('fields'));
      if (!Array.isArray(fields)) return fields;
      return ok(renderRecord(type, row, req.version, fields));
    }
    case 'PATCH': {
      if (!isRecord(req.body))
        return errorResponse(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
      const body = req.body;
      const result = transact(
        ctx.org,
        (tx) => ctx.writer.update(tx, req.actor, type.name, id, body),
        (r) => r.ok,
      );
      if (!result.ok) return saveErrorResponse(result.errors);
      return noContent();
    }
    case 'DELETE': {
      const result = transact(
        ctx.org,
        (tx) => ctx.writer.delete(tx, req.actor, type.name, id),
        (r) => r.ok,
      );
      if (!result.ok) return saveErrorResponse(result.errors);
      return noContent();
    }
    default:
      return methodNotAllowed(req.method, ['HEAD', 'GET', 'PATCH', 'DELETE']);
  }
}

function byExternalId(
  ctx: EmulatorContext,
  req: RestRequest,
  table: Table,
  fieldName: string,
  rawValue: string,
): RestResponse {
  const type = table.type;
  // Path segments arrive decoded; jsforce does not encode the value at all.
  const value = rawValue;
  const field = type.field(fieldName);
  if (!field || !(field.externalId || field.idLookup)) {
    return errorResponse(
      404,
      'NOT_FOUND',
      `Provided external ID field does not exist or is not accessible: ${fieldName}`,
    );
  }
  if (req.method === 'PATCH') {
    if (!isRecord(req.body))
      return errorResponse(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
    const body = req.body;
    const result = transact(
      ctx.org,
      (tx) => ctx.writer.upsert(tx, req.actor, type.name, field.name, value, body),
      (r) => r.ok,
    );
    if (!result.ok) {
      if ('multiple' in result) {
        return {
          status: 300,
          body: result.multiple.map(
            (id) => `/services/data/v${req.version}/sobjects/${type.name}/${id}`,
          ),
        };
      }
      return saveErrorResponse(result.errors);
    }
    return ok(
      { id: result.id, success: true, errors: [], created: result.created },
      result.created ? 201 : 200,
    );
  }
  const matches = ctx.writer.findBy(table, field, value);
  if (req.method === 'GET' || req.method === 'DELETE') {
    if (matches.length === 0) return notFound();
    if (matches.length > 1) {
      return {
        status: 300,
        body: matches.map((id) => `/services/data/v${req.version}/sobjects/${type.name}/${id}`),
      };
    }
    const id = matches[0] as string;
    if (req.method === 'DELETE') {
      const result: SaveResult = transact(
        ctx.org,
        (tx) => ctx.writer.delete(tx, req.actor, type.name, id),
        (r) => r.ok,
      );
      return result.ok ? noContent() : saveErrorResponse(result.errors);
    }
    const fields = selectedFields(type, req.query.get('fields'));
    if (!Array.isArray(fields)) return fields;
    return ok(renderRecord(type, table.get(id) ?? {}, req.version, fields));
  }
  return methodNotAllowed(req.method, ['HEAD', 'GET', 'PATCH', 'DELETE']);
}

const minute = 60_000;

function window(
  ctx: EmulatorContext,
  req: RestRequest,
): { start: number; end: number } | RestResponse {
  const startText = req.query.get('start');
  const endText = req.query.get('end');
  if (startText === null || endText === null) {
    return errorResponse(
      400,
      'MISSING_ARGUMENT',
      `${startText === null ? 'start' : 'end'} was not specified`,
    );
  }
  const start = parseDateTime(startText);
  const end = parseDateTime(endText);
  if (start === null || end === null) {
    return errorResponse(
      400,
      'INVALID_REPLICATION_DATE',
      `Invalid date: ${start === null ? startText : endText}`,
    );
  }
  // Seconds are truncated to the minute (docs resources_getupdated.htm).
  const s = Math.floor(start / minute) * minute;
  const e = Math.floor(end / minute) * minute;
  if (s >= e)
    return errorResponse(
      400,
      'INVALID_REPLICATION_DATE',
      'start date must chronologically precede end date',
    );
  if (ctx.org.now() - s > 30 * 86_400_000) {
    return errorResponse(
      400,
      'INVALID_REPLICATION_DATE',
      'startDate cannot be more than 30 days ago',
    );
  }
  // Up to the end of the present minute; `present()`, not the clock, so that records stamped
  // during a burst of writes that ran ahead of the clock are covered too.
  return { start: s, end: Math.min(e, Math.floor(ctx.org.present() / minute) * minute + minute) };
}

function updated(ctx: EmulatorContext, req: RestRequest, table: Table): RestResponse {
  const w = window(ctx, req);
  if ('status' in w) return w;
  const from = formatDateTime(w.start);
  const to = formatDateTime(w.end);
  const ids: string[] = [];
  for (const [id, row] of table.rows) {
    if (row['IsDeleted'] === true) continue;
    const stamp = String(row['SystemModstamp'] ?? '');
    if (stamp >= from && stamp < to) ids.push(id);
  }
  if (ids.length > 600_000)
    return errorResponse(400, 'EXCEEDED_ID_LIMIT', 'too many ids: use a smaller window');
  return ok({ ids, latestDateCovered: to });
}

function deleted(ctx: EmulatorContext, req: RestRequest, table: Table): RestResponse {
  const w = window(ctx, req);
  if ('status' in w) return w;
  const deletedRecords: { id: string; deletedDate: string }[] = [];
  let earliest = w.start;
  for (const [id, at] of table.deletedAt) {
    earliest = Math.min(earliest, Math.floor(at / minute) * minute);
    if (at >= w.start && at < w.end) deletedRecords.push({ id, deletedDate: formatDateTime(at) });
  }
  return ok({
    deletedRecords,
    earliestDateAvailable: formatDateTime(earliest),
    latestDateCovered: formatDateTime(w.end),
  });
}
