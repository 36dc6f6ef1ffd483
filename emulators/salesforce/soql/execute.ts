// Runs a parsed SOQL query against the org: resolves field paths (parent relationships too),
// compiles WHERE into a predicate with Salesforce's typing rules, uses an index when the filter
// pins Id or an indexed field, then orders, offsets and limits.
import { canonicalId, keyPrefixOf } from '../ids.ts';
import type { Org } from '../org.ts';
import type { Field } from '../schema/field.ts';
import { numericTypes } from '../schema/field.ts';
import type { SObjectType } from '../schema/sobject.ts';
import { attributes, renderValue } from '../store/render.ts';
import type { Row, Table, Value } from '../store/table.ts';
import { formatDate, formatDateTime, parseDateTime } from '../store/values.ts';
import { SoqlError } from './lexer.ts';
import {
  parseSoql,
  type Condition,
  type FieldRef,
  type Literal,
  type Query,
  type SelectItem,
} from './parser.ts';

interface Resolved {
  /** Relationship fields walked from the root, then the final field. */
  readonly hops: readonly Field[];
  readonly field: Field;
  readonly type: SObjectType;
  get(row: Row): Value;
  /** Row of the record owning the final field, or null when a parent is missing. */
  owner(row: Row): { row: Row; type: SObjectType } | null;
}

export interface QueryResult {
  readonly type: SObjectType;
  /** Selected field paths as Salesforce names them (`Owner.Email`), for CSV headers. */
  readonly columns: readonly string[];
  readonly ids: readonly string[];
  /** Rows the engine looked at: the index's hits, or the whole table for a scan. */
  readonly scanned: number;
  /** COUNT() queries: the count, and no records. */
  readonly count: number | null;
  /** COUNT(field) queries: one aggregate record. */
  readonly aggregate: Record<string, unknown> | null;
  project(row: Row, version: string): Record<string, unknown>;
}

const noSuchColumn = (name: string, entity: string): string =>
  `No such column '${name}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`;

export function runSoql(
  org: Org,
  text: string,
  options: { includeDeleted: boolean; now?: number },
): QueryResult {
  const query = parseSoql(text);
  const type = org.type(query.from.name);
  if (!type) {
    throw new SoqlError(
      'INVALID_TYPE',
      `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      query.from.pos,
    );
  }
  const table = org.table(type.name) as Table;
  return execute(org, table, query, options);
}

function resolve(org: Org, root: SObjectType, ref: FieldRef): Resolved {
  const parts = ref.path.split('.');
  const hops: Field[] = [];
  let type = root;
  for (const part of parts.slice(0, -1)) {
    const rel = type.relationships.get(part.toLowerCase());
    const target = rel?.referenceTo.map((t) => org.type(t)).find((t) => t !== undefined);
    if (!rel || !target) {
      throw new SoqlError(
        'INVALID_FIELD',
        `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        ref.pos,
      );
    }
    hops.push(rel);
    type = target;
  }
  const last = parts[parts.length - 1] as string;
  const field = type.field(last);
  if (!field) throw new SoqlError('INVALID_FIELD', noSuchColumn(last, type.name), ref.pos);
  const finalType = type;
  const owner = (row: Row): { row: Row; type: SObjectType } | null => {
    let current: Row = row;
    let currentType = root;
    for (const hop of hops) {
      const id = current[hop.name];
      if (typeof id !== 'string') return null;
      const found = org.locate(id);
      if (!found?.row) return null;
      current = found.row;
      currentType = found.table.type;
    }
    return { row: current, type: currentType };
  };
  const name = field.name;
  const get =
    hops.length === 0
      ? field.type === 'address'
        ? (row: Row) => renderValue(root, row, field) as Value
        : (row: Row) => row[name] ?? null
      : (row: Row) => {
          const o = owner(row);
          return o ? (o.row[name] ?? null) : null;
        };
  return { hops, field, type: finalType, get, owner };
}

type Predicate = (row: Row) => boolean;

const textLike = new Set([
  'string',
  'textarea',
  'picklist',
  'multipicklist',
  'combobox',
  'email',
  'phone',
  'url',
  'encryptedstring',
  'id',
  'reference',
]);

function typeError(field: Field, expected: string, pos: number): SoqlError {
  return new SoqlError(
    'INVALID_FIELD',
    `value of filter criterion for field '${field.name}' must be of type ${expected} and should not be enclosed in quotes`,
    pos,
  );
}

interface Range {
  readonly start: string;
  readonly end: string;
}

/** The [start, end) range a date literal covers, in the field's own format (UTC org). */
function dateRange(
  literal: { name: string; n: number | null },
  isDate: boolean,
  now: number,
): Range {
  const day = 86_400_000;
  const today = Math.floor(now / day) * day;
  const d = new Date(today);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const weekStart = today - d.getUTCDay() * day;
  const n = literal.n ?? 0;
  let start: number;
  let end: number;
  switch (literal.name) {
    case 'YESTERDAY':
      [start, end] = [today - day, today];
      break;
    case 'TODAY':
      [start, end] = [today, today + day];
      break;
    case 'TOMORROW':
      [start, end] = [today + day, today + 2 * day];
      break;
    case 'LAST_WEEK':
      [start, end] = [weekStart - 7 * day, weekStart];
      break;
    case 'THIS_WEEK':
      [start, end] = [weekStart, weekStart + 7 * day];
      break;
    case 'NEXT_WEEK':
      [start, end] = [weekStart + 7 * day, weekStart + 14 * day];
      break;
    case 'LAST_MONTH':
      [start, end] = [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)];
      break;
    case 'THIS_MONTH':
      [start, end] = [Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1)];
      break;
    case 'NEXT_MONTH':
      [start, end] = [Date.UTC(y, m + 1, 1), Date.UTC(y, m + 2, 1)];
      break;
    case 'LAST_90_DAYS':
      [start, end] = [today - 90 * day, today + day];
      break;
    case 'NEXT_90_DAYS':
      [start, end] = [today + day, today + 91 * day];
      break;
    case 'THIS_YEAR':
      [start, end] = [Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1)];
      break;
    case 'LAST_YEAR':
      [start, end] = [Date.UTC(y - 1, 0, 1), Date.UTC(y, 0, 1)];
      break;
    case 'NEXT_YEAR':
      [start, end] = [Date.UTC(y + 1, 0, 1), Date.UTC(y + 2, 0, 1)];
      break;
    case 'LAST_N_DAYS':
      [start, end] = [today - n * day, today + day];
      break;
    case 'NEXT_N_DAYS':
      [start, end] = [today + day, today + (n + 1) * day];
      break;
    case 'N_DAYS_AGO':
      [start, end] = [today - n * day, today - (n - 1) * day];
      break;
    case 'LAST_N_WEEKS':
      [start, end] = [weekStart - n * 7 * day, weekStart];
      break;
    case 'NEXT_N_WEEKS':
      [start, end] = [weekStart + 7 * day, weekStart + (n + 1) * 7 * day];
      break;
    case 'LAST_N_MONTHS':
      [start, end] = [Date.UTC(y, m - n, 1), Date.UTC(y, m, 1)];
      break;
    case 'NEXT_N_MONTHS':
      [start, end] = [Date.UTC(y, m + 1, 1), Date.UTC(y, m + 1 + n, 1)];
      break;
    case 'LAST_N_YEARS':
      [start, end] = [Date.UTC(y - n, 0, 1), Date.UTC(y, 0, 1)];
      break;
    case 'NEXT_N_YEARS':
      [start, end] = [Date.UTC(y + 1, 0, 1), Date.UTC(y + 1 + n, 0, 1)];
      break;
    default:
      throw new SoqlError(
        'MALFORMED_QUERY',
        `date literal ${literal.name} is not supported by the Tandem Salesforce emulator`,
      );
  }
  const fmt = isDate ? formatDate : formatDateTime;
  return { start: fmt(start), end: fmt(end) };
}

/** A literal converted to the comparable form of the field's type; ranges for date literals. */
function comparable(field: Field, literal: Literal, pos: number, now: number): Value | Range {
  const type = field.type;
  if (literal.kind === 'null') return null;
  if (textLike.has(type)) {
    if (literal.kind !== 'string')
      throw new SoqlError(
        'INVALID_FIELD',
        `value of filter criterion for field '${field.name}' must be of type string and should be enclosed in quotes`,
        pos,
      );
    if (type === 'id' || type === 'reference') {
      if (literal.value === '') return '';
      const id = canonicalId(literal.value);
      if (!id)
        throw new SoqlError(
          'INVALID_QUERY_FILTER_OPERATOR',
          `invalid ID field: ${literal.value}`,
          pos,
        );
      return id.toLowerCase();
    }
    return literal.value.toLowerCase();
  }
  if (numericTypes.has(type)) {
    if (literal.kind !== 'number')
      throw typeError(field, type === 'int' ? 'integer' : 'double', pos);
    return literal.value;
  }
  if (type === 'boolean') {
    if (literal.kind !== 'boolean') throw typeError(field, 'boolean', pos);
    return literal.value;
  }
  if (type === 'date') {
    if (literal.kind === 'date') return literal.value;
    if (literal.kind === 'dateLiteral') return dateRange(literal, true, now);
    throw typeError(field, 'date', pos);
  }
  if (type === 'datetime') {
    if (literal.kind === 'datetime') {
      const ms = parseDateTime(literal.value);
      if (ms === null) throw typeError(field, 'dateTime', pos);
      return formatDateTime(ms);
    }
    if (literal.kind === 'dateLiteral') return dateRange(literal, false, now);
    throw typeError(field, 'dateTime', pos);
  }
  if (literal.kind === 'string') return literal.value.toLowerCase();
  if (literal.kind === 'number' || literal.kind === 'boolean') return literal.value;
  throw typeError(field, type, pos);
}

function normalise(field: Field, v: Value): Value {
  if (v === null) return null;
  if (typeof v === 'string' && textLike.has(field.type)) return v.toLowerCase();
  return v;
}

function isRange(v: Value | Range): v is Range {
  return typeof v === 'object' && v !== null;
}

function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function likeRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      source += pattern[i + 1];
      i++;
    } else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

function compile(org: Org, root: SObjectType, cond: Condition, now: number): Predicate {
  switch (cond.kind) {
    case 'and': {
      const items = cond.items.map((c) => compile(org, root, c, now));
      return (row) => items.every((p) => p(row));
    }
    case 'or': {
      const items = cond.items.map((c) => compile(org, root, c, now));
      return (row) => items.some((p) => p(row));
    }
    case 'not': {
      const item = compile(org, root, cond.item, now);
      return (row) => !item(row);
    }
    case 'like': {
      const r = resolve(org, root, cond.field);
      if (!textLike.has(r.field.type) || r.field.type === 'id' || r.field.type === 'reference') {
        throw new SoqlError(
          'INVALID_FIELD',
          `invalid operator on field '${r.field.name}': LIKE`,
          cond.pos,
        );
      }
      const regex = likeRegex(cond.pattern);
      return (row) => {
        const v = r.get(row);
        return v !== null && regex.test(String(v));
      };
    }
    case 'in': {
      const r = resolve(org, root, cond.field);
      const values = cond.values.map((l) => comparable(r.field, l, cond.pos, now));
      if (values.some(isRange))
        throw new SoqlError(
          'MALFORMED_QUERY',
          'date literals in IN lists are not supported by the Tandem Salesforce emulator',
          cond.pos,
        );
      const set = new Set(values as Value[]);
      return cond.negate
        ? (row) => !set.has(normalise(r.field, r.get(row)))
        : (row) => set.has(normalise(r.field, r.get(row)));
    }
    case 'cmp': {
      const r = resolve(org, root, cond.field);
      const target = comparable(r.field, cond.value, cond.pos, now);
      const op = cond.op;
      if (target === null) {
        if (op === '=') return (row) => r.get(row) === null;
        if (op === '!=') return (row) => r.get(row) !== null;
        return () => false;
      }
      if ((op === '<' || op === '>' || op === '<=' || op === '>=') && r.field.type === 'boolean') {
        throw new SoqlError(
          'INVALID_FIELD',
          `invalid operator on field '${r.field.name}': ${op}`,
          cond.pos,
        );
      }
      if (isRange(target)) {
        const { start, end } = target;
        const inRange = (v: Value): boolean =>
          v !== null && (v as string) >= start && (v as string) < end;
        switch (op) {
          case '=':
            return (row) => inRange(r.get(row));
          case '!=':
            return (row) => !inRange(r.get(row));
          case '<':
            return (row) => {
              const v = r.get(row);
              return v !== null && (v as string) < start;
            };
          case '<=':
            return (row) => {
              const v = r.get(row);
              return v !== null && (v as string) < end;
            };
          case '>':
            return (row) => {
              const v = r.get(row);
              return v !== null && (v as string) >= end;
            };
          default:
            return (row) => {
              const v = r.get(row);
              return v !== null && (v as string) >= start;
            };
        }
      }
      switch (op) {
        case '=':
          return (row) => normalise(r.field, r.get(row)) === target;
        case '!=':
          return (row) => normalise(r.field, r.get(row)) !== target;
        case '<':
          return (row) => {
            const v = normalise(r.field, r.get(row));
            return v !== null && compare(v, target) < 0;
          };
        case '<=':
          return (row) => {
            const v = normalise(r.field, r.get(row));
            return v !== null && compare(v, target) <= 0;
          };
        case '>':
          return (row) => {
            const v = normalise(r.field, r.get(row));
            return v !== null && compare(v, target) > 0;
          };
        default:
          return (row) => {
            const v = normalise(r.field, r.get(row));
            return v !== null && compare(v, target) >= 0;
          };
      }
    }
  }
}

/** Candidate ids from an index when the filter pins Id or an indexed field with = or IN. */
function candidates(org: Org, table: Table, cond: Condition | null): string[] | null {
  if (!cond) return null;
  if (cond.kind === 'and') {
    let best: string[] | null = null;
    for (const item of cond.items) {
      const c = candidates(org, table, item);
      if (c && (best === null || c.length < best.length)) best = c;
    }
    return best;
  }
  if (cond.kind !== 'cmp' && cond.kind !== 'in') return null;
  if (cond.kind === 'cmp' && cond.op !== '=') return null;
  if (cond.kind === 'in' && cond.negate) return null;
  if (cond.field.path.includes('.')) return null;
  const field = table.type.field(cond.field.path);
  if (!field) return null;
  const literals = cond.kind === 'cmp' ? [cond.value] : cond.values;
  if (literals.some((l) => l.kind !== 'string')) return null;
  const values = literals.map((l) => (l as { value: string }).value);
  if (field.type === 'id') {
    const ids = new Set<string>();
    for (const v of values) {
      const id = canonicalId(v);
      if (id && keyPrefixOf(id) === table.type.keyPrefix && table.get(id)) ids.add(id);
    }
    return [...ids];
  }
  if (!table.isIndexedField(field.name)) return null;
  const ids = new Set<string>();
  for (const v of values) for (const id of table.lookup(field, v)) ids.add(id);
  return [...ids];
}

function execute(
  org: Org,
  table: Table,
  query: Query,
  options: { includeDeleted: boolean; now?: number },
): QueryResult {
  const type = table.type;
  const now = options.now ?? org.now();
  const counts = query.select.filter(
    (s): s is Extract<SelectItem, { kind: 'count' }> => s.kind === 'count',
  );
  if (counts.length > 0 && query.select.length > counts.length) {
    const field = query.select.find((s) => s.kind === 'field');
    throw new SoqlError(
      'MALFORMED_QUERY',
      `Field must be grouped or aggregated: ${field?.kind === 'field' ? field.field.path : ''}`,
      field?.kind === 'field' ? field.field.pos : null,
    );
  }
  const selected = query.select.flatMap((s) =>
    s.kind === 'field' ? [resolve(org, type, s.field)] : [],
  );
  if (selected.some((r) => r.field.type === 'address' && r.hops.length > 0)) {
    throw new SoqlError(
      'MALFORMED_QUERY',
      'compound address fields through relationships are not supported by the Tandem Salesforce emulator',
    );
  }
  const predicate = query.where ? compile(org, type, query.where, now) : null;
  const order = query.orderBy.map((o) => ({ ...o, r: resolve(org, type, o.field) }));
  if (query.offset !== null && query.offset > 2000) {
    throw new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000');
  }
  const pool = candidates(org, table, query.where);
  const ids: string[] = [];
  let scanned = 0;
  const visit = (id: string, row: Row): void => {
    scanned++;
    if (!options.includeDeleted && row['IsDeleted'] === true) return;
    if (predicate && !predicate(row)) return;
    ids.push(id);
  };
  if (pool) {
    for (const id of pool) {
      const row = table.get(id);
      if (row) visit(id, row);
    }
  } else {
    for (const [id, row] of table.rows) visit(id, row);
  }
  if (order.length > 0) {
    const keys = new Map<string, Value[]>();
    for (const id of ids) {
      const row = table.get(id) as Row;
      keys.set(
        id,
        order.map((o) => normalise(o.r.field, o.r.get(row))),
      );
    }
    ids.sort((a, b) => {
      const ka = keys.get(a) as Value[];
      const kb = keys.get(b) as Value[];
      for (let i = 0; i < order.length; i++) {
        const o = order[i] as (typeof order)[number];
        const va = ka[i] ?? null;
        const vb = kb[i] ?? null;
        if (va === vb) continue;
        if (va === null) return o.nullsLast ? 1 : -1;
        if (vb === null) return o.nullsLast ? -1 : 1;
        const c = compare(va, vb);
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
  }
  const start = query.offset ?? 0;
  const sliced = ids.slice(start, query.limit !== null ? start + query.limit : undefined);
  if (counts.length > 0) {
    const countItem = counts[0] as Extract<SelectItem, { kind: 'count' }>;
    if (countItem.field === null) {
      return {
        type,
        columns: [],
        ids: [],
        scanned,
        count: sliced.length,
        aggregate: null,
        project: () => ({}),
      };
    }
    const r = resolve(org, type, countItem.field);
    const n = sliced.filter((id) => r.get(table.get(id) as Row) !== null).length;
    const aggregate = { attributes: { type: 'AggregateResult' }, [countItem.alias ?? 'expr0']: n };
    return {
      type,
      columns: [countItem.alias ?? 'expr0'],
      ids: [],
      scanned,
      count: null,
      aggregate,
      project: () => ({}),
    };
  }
  return {
    type,
    columns: selected.map((r) =>
      [...r.hops.map((h) => h.relationshipName), r.field.name].join('.'),
    ),
    ids: sliced,
    scanned,
    count: null,
    aggregate: null,
    project: (row, version) => project(org, type, selected, row, version),
  };
}

function project(
  org: Org,
  type: SObjectType,
  selected: readonly Resolved[],
  row: Row,
  version: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: attributes(type.name, row['Id'] ?? null, version),
  };
  for (const r of selected) {
    if (r.hops.length === 0) {
      out[r.field.name] =
        r.field.type === 'address' ? renderValue(type, row, r.field) : (row[r.field.name] ?? null);
      continue;
    }
    // Parent fields nest under the relationship name; a missing parent renders as null.
    let target = out;
    let current: Row = row;
    let reached = true;
    for (const hop of r.hops) {
      const relName = hop.relationshipName as string;
      const id = current[hop.name];
      const found = typeof id === 'string' ? org.locate(id) : undefined;
      if (!found?.row) {
        if (target[relName] === undefined) target[relName] = null;
        reached = false;
        break;
      }
      if (target[relName] === undefined || target[relName] === null) {
        target[relName] = { attributes: attributes(found.table.type.name, found.id, version) };
      }
      target = target[relName] as Record<string, unknown>;
      current = found.row;
    }
    if (reached) target[r.field.name] = current[r.field.name] ?? null;
  }
  return out;
}
