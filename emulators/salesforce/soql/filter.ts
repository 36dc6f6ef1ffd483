// WHERE compiled into a predicate with Salesforce's typing rules: case-insensitive text, ids in
// 18-character form, dates and datetimes in their own formats, date literals as UTC ranges.
import { canonicalId } from '../ids.ts';
import type { Org } from '../org.ts';
import type { Field } from '../schema/field.ts';
import { numericTypes } from '../schema/field.ts';
import type { SObjectType } from '../schema/sobject.ts';
import type { Row, Value } from '../store/table.ts';
import { formatDate, formatDateTime, parseDateTime } from '../store/values.ts';
import { SoqlError } from './lexer.ts';
import type { Condition, Literal } from './parser.ts';
import { likeMatcher } from './like.ts';
import { resolve, type Resolved } from './resolve.ts';

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

export function normalise(field: Field, v: Value): Value {
  if (v === null) return null;
  if (typeof v === 'string' && textLike.has(field.type)) return v.toLowerCase();
  return v;
}

function isRange(v: Value | Range): v is Range {
  return typeof v === 'object' && v !== null;
}

export function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Long text areas and compound fields cannot be filtered on, as in Salesforce. */
function filterable(r: Resolved, pos: number): Resolved {
  if (r.field.json['filterable'] === false) {
    throw new SoqlError(
      'INVALID_FIELD',
      `field '${r.field.name}' can not be filtered in a query call`,
      pos,
    );
  }
  return r;
}

export function compile(org: Org, root: SObjectType, cond: Condition, now: number): Predicate {
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
      const r = filterable(resolve(org, root, cond.field), cond.field.pos);
      if (!textLike.has(r.field.type) || r.field.type === 'id' || r.field.type === 'reference') {
        throw new SoqlError(
          'INVALID_FIELD',
          `invalid operator on field '${r.field.name}': LIKE`,
          cond.pos,
        );
      }
      const matches = likeMatcher(cond.pattern);
      return (row) => {
        const v = r.get(row);
        return v !== null && matches(String(v));
      };
    }
    case 'in': {
      const r = filterable(resolve(org, root, cond.field), cond.field.pos);
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
      const r = filterable(resolve(org, root, cond.field), cond.field.pos);
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
