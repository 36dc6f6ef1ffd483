// Wire formats of field values, and the coercion of written values into them.
import type { Field } from '../schema/field.ts';
import { numericTypes, textTypes } from '../schema/field.ts';
import type { Value } from './table.ts';

/** Salesforce's datetime wire format: `2026-01-31T12:00:00.000+0000`. */
/** Salesforce keeps datetimes to the second: the API always shows `.000`. */
export function formatDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.000+0000`;
}

const canonicalDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms of an ISO-like date or datetime, or null when it is not one. */
export function parseDateTime(text: string): number | null {
  const m = dateTimePattern.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone = 'Z'] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  ms += Number(frac.padEnd(3, '0'));
  if (Number.isNaN(ms)) return null;
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1) return null;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

export class CoercionError extends Error {}

function jsonKind(value: unknown): string {
  if (typeof value === 'string') return 'VALUE_STRING';
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
  if (typeof value === 'boolean') return value ? 'VALUE_TRUE' : 'VALUE_FALSE';
  if (Array.isArray(value)) return 'START_ARRAY';
  return 'START_OBJECT';
}

function refuse(field: Field, value: unknown, soapType: string): never {
  const shown = typeof value === 'object' ? '' : ` value ${String(value)}`;
  throw new CoercionError(
    `Cannot deserialize instance of ${soapType} from ${jsonKind(value)}${shown} or request may be missing a required field`,
  );
}

/** The stored value for a written JSON value; throws CoercionError (JSON_PARSER_ERROR) if it cannot be one. */
export function coerce(field: Field, value: unknown): Value {
  if (value === null || value === undefined) return null;
  const type = field.type;
  if (textTypes.has(type)) {
    if (typeof value === 'string') return value === '' ? null : value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return refuse(field, value, 'string');
  }
  if (type === 'id' || type === 'reference') {
    if (typeof value === 'string') return value === '' ? null : value;
    return refuse(field, value, 'reference');
  }
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    return refuse(field, value, 'boolean');
  }
  if (numericTypes.has(type)) {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
    if (!Number.isFinite(n)) return refuse(field, value, type === 'int' ? 'int' : 'double');
    if (type === 'int' && !Number.isInteger(n)) return refuse(field, value, 'int');
    return n;
  }
  if (type === 'date') {
    if (typeof value !== 'string') return refuse(field, value, 'date');
    const ms = parseDateTime(value);
    if (ms === null) return refuse(field, value, 'date');
    return value.length > 10 ? formatDate(ms) : value.slice(0, 10);
  }
  if (type === 'datetime') {
    if (typeof value !== 'string') return refuse(field, value, 'datetime');
    if (canonicalDateTime.test(value) && value.endsWith('.000+0000')) return value;
    const ms = parseDateTime(value);
    if (ms === null) return refuse(field, value, 'datetime');
    return formatDateTime(ms);
  }
  if (type === 'time') {
    if (typeof value === 'string' && /^\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?$/.test(value))
      return value;
    return refuse(field, value, 'time');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  return refuse(field, value, 'anyType');
}

// Salesforce's own check is looser than RFC 5322 but refuses these shapes.
const emailPattern = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;

export function isValidEmail(text: string): boolean {
  return emailPattern.test(text) && !text.includes('..');
}
