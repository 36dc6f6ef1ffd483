// sObject Collections: /composite/sobjects (create, update, delete, retrieve) and collection
// upsert /composite/sobjects/{T}/{Field}. Up to 200 records; 200 even when every record fails;
// allOrNone rolls the whole batch back and reports the others as ALL_OR_NONE_OPERATION_ROLLED_BACK.
import { transact, type EmulatorContext } from '../context.ts';
import { canonicalId, keyPrefixOf } from '../ids.ts';
import type { Field } from '../schema/field.ts';
import { renderRecord } from '../store/render.ts';
import { recordError, rolledBack, type SaveError, type SaveResult } from '../write/errors.ts';
import type { Tx } from '../write/tx.ts';
import {
  errorResponse,
  isRecord,
  methodNotAllowed,
  ok,
  type RestRequest,
  type RestResponse,
} from './types.ts';

const maxRecords = 200;

type ItemResult = SaveResult & { created?: boolean };

function render(results: readonly ItemResult[], withCreated: boolean): Record<string, unknown>[] {
  return results.map((r) => {
    if (r.ok) {
      const out: Record<string, unknown> = { id: r.id, success: true, errors: [] };
      if (withCreated) out['created'] = r.created;
      return out;
    }
    const out: Record<string, unknown> = {};
    if (r.id) out['id'] = r.id;
    out['success'] = false;
    out['errors'] = r.errors.map(recordError);
    return out;
  });
}

/** Runs one write per item in a shared transaction, with per-record savepoints. */
function runBatch(
  ctx: EmulatorContext,
  allOrNone: boolean,
  count: number,
  write: (tx: Tx, i: number) => ItemResult,
): ItemResult[] {
  return transact(
    ctx.org,
    (tx) => {
      const start = tx.savepoint();
      const results: ItemResult[] = [];
      for (let i = 0; i < count; i++) {
        const point = tx.savepoint();
        let result: ItemResult;
        try {
          result = write(tx, i);
        } catch (error) {
          tx.rollbackTo(point);
          throw error;
        }
        if (!result.ok) tx.rollbackTo(point);
        results.push(result);
      }
      if (allOrNone && results.some((r) => !r.ok)) {
        tx.rollbackTo(start);
        return results.map((r): ItemResult => (r.ok ? { ok: false, errors: [rolledBack] } : r));
      }
      return results;
    },
    (results) => !allOrNone || results.every((r) => r.ok),
  );
}

interface CollectionBody {
  readonly allOrNone: boolean;
  readonly records: readonly Record<string, unknown>[];
}

function parseBody(body: unknown): CollectionBody | RestResponse {
  if (!isRecord(body) || !Array.isArray(body['records'])) {
    return errorResponse(
      400,
      'JSON_PARSER_ERROR',
      'The request body must be an object with a records array',
    );
  }
  const records = body['records'] as unknown[];
  if (records.length > maxRecords) {
    return errorResponse(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${maxRecords} records into this call`,
    );
  }
  if (!records.every(isRecord))
    return errorResponse(400, 'JSON_PARSER_ERROR', 'Each record must be a JSON object');
  return { allOrNone: body['allOrNone'] === true, records: records as Record<string, unknown>[] };
}

function typeOf(record: Record<string, unknown>): string | null {
  const attrs = record['attributes'];
  return isRecord(attrs) && typeof attrs['type'] === 'string' ? attrs['type'] : null;
}

const noType: SaveError = {
  code: 'INVALID_TYPE',
  message: 'Must specify a type in the attributes property',
  fields: [],
};

function strip(record: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record))
    if (k !== 'attributes' && !keys.includes(k)) out[k] = v;
  return out;
}

export function collectionsHandler(ctx: EmulatorContext, req: RestRequest): RestResponse {
  const [, , typeName, fieldName] = req.segments;
  if (typeName !== undefined && fieldName !== undefined) {
    if (req.method !== 'PATCH') return methodNotAllowed(req.method, ['PATCH']);
    return upsertCollection(ctx, req, typeName, fieldName);
  }
  if (typeName !== undefined) {
    if (req.method !== 'POST' && req.method !== 'GET')
      return methodNotAllowed(req.method, ['GET', 'POST']);
    return retrieveCollection(ctx, req, typeName);
  }
  switch (req.method) {
    case 'POST':
    case 'PATCH': {
      const parsed = parseBody(req.body);
      if ('status' in parsed) return parsed;
      const create = req.method === 'POST';
      const results = runBatch(ctx, parsed.allOrNone, parsed.records.length, (tx, i) => {
        const record = parsed.records[i] as Record<string, unknown>;
        const type = typeOf(record);
        if (!type) return { ok: false, errors: [noType] };
        if (create) {
          if (record['id'] !== undefined || record['Id'] !== undefined) {
            return {
              ok: false,
              errors: [
                {
                  code: 'INVALID_FIELD',
                  message: 'Cannot specify an id in an insert call',
                  fields: [],
                },
              ],
            };
          }
          return ctx.writer.create(tx, req.actor, type, strip(record));
        }
        const id = record['id'] ?? record['Id'];
        if (typeof id !== 'string') {
          return {
            ok: false,
            errors: [
              {
                code: 'MISSING_ARGUMENT',
                message: 'Id not specified in an update call',
                fields: [],
              },
            ],
          };
        }
        const result = ctx.writer.update(tx, req.actor, type, id, strip(record, 'id', 'Id'));
        return result.ok ? result : { ok: false, errors: result.errors.map(collectionNotFound) };
      });
      return ok(render(results, false));
    }
    case 'DELETE': {
      const ids = (req.query.get('ids') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (ids.length === 0)
        return errorResponse(400, 'REQUIRED_FIELD_MISSING', 'At least 1 Id is required.');
      if (ids.length > maxRecords) {
        return errorResponse(
          400,
          'EXCEEDED_ID_LIMIT',
          `record limit reached. cannot submit more than ${maxRecords} records into this call`,
        );
      }
      const allOrNone = req.query.get('allOrNone') === 'true';
      const results = runBatch(ctx, allOrNone, ids.length, (tx, i) => {
        const id = ids[i] as string;
        const result = ctx.writer.delete(tx, req.actor, undefined, id);
        return result.ok ? result : { ok: false, errors: result.errors.map(collectionNotFound) };
      });
      return ok(render(results, false));
    }
    case 'GET':
      return retrieveCollection(ctx, req, undefined);
    default:
      return methodNotAllowed(req.method, ['GET', 'POST', 'PATCH', 'DELETE']);
  }
}

// In a collection a missing record is a per-record error, not a 404 of the whole request.
function collectionNotFound(error: SaveError): SaveError {
  if (error.code === 'NOT_FOUND')
    return {
      code: 'INVALID_CROSS_REFERENCE_KEY',
      message: 'invalid cross reference id',
      fields: [],
    };
  return error;
}

function upsertCollection(
  ctx: EmulatorContext,
  req: RestRequest,
  typeName: string,
  fieldName: string,
): RestResponse {
  const table = ctx.org.table(typeName);
  if (!table) return errorResponse(404, 'NOT_FOUND', 'The requested resource does not exist');
  const field = table.type.field(fieldName);
  if (!field || !(field.externalId || field.idLookup)) {
    return errorResponse(
      404,
      'NOT_FOUND',
      `Provided external ID field does not exist or is not accessible: ${fieldName}`,
    );
  }
  const parsed = parseBody(req.body);
  if ('status' in parsed) return parsed;
  const results = runBatch(ctx, parsed.allOrNone, parsed.records.length, (tx, i) => {
    const record = parsed.records[i] as Record<string, unknown>;
    const type = typeOf(record);
    if (!type) return { ok: false, errors: [noType] };
    if (type.toLowerCase() !== table.type.name.toLowerCase()) {
      return {
        ok: false,
        errors: [
          {
            code: 'INVALID_TYPE',
            message: `Record type ${type} does not match ${table.type.name}`,
            fields: [],
          },
        ],
      };
    }
    const key = Object.keys(record).find((k) => k.toLowerCase() === field.name.toLowerCase());
    const value = key === undefined ? undefined : record[key];
    if (value === undefined || value === null || value === '') {
      return {
        ok: false,
        errors: [{ code: 'MISSING_ARGUMENT', message: `${field.name} not specified`, fields: [] }],
      };
    }
    const result = ctx.writer.upsert(
      tx,
      req.actor,
      table.type.name,
      field.name,
      String(value),
      strip(record),
    );
    if (!result.ok && 'multiple' in result) {
      return {
        ok: false,
        errors: [
          {
            code: 'DUPLICATE_EXTERNAL_ID',
            message: `${field.name}: more than one record found for external id field: [${result.multiple.join(', ')}]`,
            fields: [],
          },
        ],
      };
    }
    return result;
  });
  return ok(render(results, true));
}

function retrieveCollection(
  ctx: EmulatorContext,
  req: RestRequest,
  typeName: string | undefined,
): RestResponse {
  let ids: string[];
  let fieldNames: string[];
  if (req.method === 'GET') {
    ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
    fieldNames = (req.query.get('fields') ?? '').split(',').filter(Boolean);
  } else {
    const body = req.body;
    if (!isRecord(body) || !Array.isArray(body['ids']) || !Array.isArray(body['fields'])) {
      return errorResponse(
        400,
        'JSON_PARSER_ERROR',
        'The request body must be an object with ids and fields arrays',
      );
    }
    ids = (body['ids'] as unknown[]).map(String);
    fieldNames = (body['fields'] as unknown[]).map(String);
  }
  if (typeName === undefined) return errorResponse(400, 'INVALID_TYPE', 'sObject type is required');
  const table = ctx.org.table(typeName);
  if (!table) return errorResponse(404, 'NOT_FOUND', 'The requested resource does not exist');
  if (ids.length > 2000)
    return errorResponse(
      400,
      'EXCEEDED_ID_LIMIT',
      'record limit reached. cannot submit more than 2000 records into this call',
    );
  if (fieldNames.length === 0)
    return errorResponse(400, 'REQUIRED_FIELD_MISSING', 'The fields parameter is required');
  const fields: Field[] = [];
  for (const name of fieldNames) {
    const field = table.type.field(name);
    if (!field)
      return errorResponse(
        400,
        'INVALID_FIELD',
        `No such column '${name}' on sobject of type ${table.type.name}`,
      );
    fields.push(field);
  }
  return ok(
    ids.map((raw) => {
      const id = canonicalId(raw);
      const row = id && keyPrefixOf(id) === table.type.keyPrefix ? table.get(id) : undefined;
      return row && row['IsDeleted'] !== true
        ? renderRecord(table.type, row, req.version, fields)
        : null;
    }),
  );
}
