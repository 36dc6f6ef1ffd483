/**
 * Value conversion between Intercom and Salesforce representations: dates as Intercom UNIX
 * seconds ↔ Salesforce ISO dates and date-times, booleans, numbers, picklists, reference IDs.
 */
import type { IntercomDataType } from './intercom.ts';
import { salesforceTime } from './salesforce.ts';

/** A value as it is written to or compared on either side. */
export type SyncValue = string | number | boolean | null;

export type Conversion =
  | { readonly ok: true; readonly value: SyncValue }
  | { readonly ok: false; readonly reason: string };

const ok = (value: SyncValue): Conversion => ({ ok: true, value });
const fail = (reason: string): Conversion => ({ ok: false, reason });

export const isEmpty = (value: unknown): boolean =>
  value === null ||
  value === undefined ||
  (typeof value === 'string' && value.trim() === '') ||
  (Array.isArray(value) && value.length === 0);

const textTypes = new Set([
  'string',
  'textarea',
  'phone',
  'url',
  'email',
  'encryptedstring',
  'reference',
  'id',
  'picklist',
  'combobox',
  'address',
  'location',
]);
const numberTypes = new Set(['int', 'double', 'currency', 'percent']);

/** Milliseconds of an Intercom date (UNIX seconds, or an ISO string some APIs return). */
function intercomMillis(value: unknown): number {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value) * 1000;
  if (typeof value === 'string') return salesforceTime(value.trim());
  return Number.NaN;
}

/** Milliseconds of a Salesforce date (`2026-01-31`) or date-time. */
function salesforceMillis(value: unknown): number {
  if (typeof value !== 'string') return Number.NaN;
  const text = value.trim();
  return /^\d{4}-\d\d-\d\d$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : salesforceTime(text);
}

const isoDateTime = (millis: number): string => new Date(millis).toISOString();
const isoDate = (millis: number): string => isoDateTime(millis).slice(0, 10);
const isoTime = (millis: number): string => isoDateTime(millis).slice(11);

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value.trim());
    if (Number.isFinite(number)) return number;
  }
  return undefined;
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
  }
  if (value === 1 || value === 0) return value === 1;
  return undefined;
}

const sortedPicklist = (text: string): string =>
  text
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .sort()
    .join(';');

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(String).join(';');
  return undefined;
}

/** Converts an Intercom value to what a Salesforce field of this type holds. */
export function toSalesforceValue(
  value: unknown,
  intercomType: IntercomDataType,
  salesforceType: string,
): Conversion {
  if (isEmpty(value)) return ok(null);
  const type = salesforceType.toLowerCase();
  if (intercomType === 'date' && type !== 'date' && type !== 'datetime' && type !== 'time') {
    const millis = intercomMillis(value);
    if (Number.isNaN(millis)) return fail(`${String(value)} is not a date`);
    if (textTypes.has(type)) return ok(isoDateTime(millis));
  }
  if (type === 'multipicklist') {
    const text = asText(value);
    return text === undefined ? fail('not text') : ok(sortedPicklist(text));
  }
  if (textTypes.has(type)) {
    const text = asText(value);
    return text === undefined ? fail('not text') : ok(text);
  }
  if (type === 'boolean') {
    const bool = toBoolean(value);
    return bool === undefined ? fail(`${String(value)} is not true or false`) : ok(bool);
  }
  if (numberTypes.has(type)) {
    const number = toNumber(value);
    if (number === undefined) return fail(`${String(value)} is not a number`);
    return ok(type === 'int' ? Math.round(number) : number);
  }
  if (type === 'date' || type === 'datetime' || type === 'time') {
    const millis = intercomMillis(value);
    if (Number.isNaN(millis)) return fail(`${String(value)} is not a date`);
    return ok(
      type === 'date' ? isoDate(millis) : type === 'time' ? isoTime(millis) : isoDateTime(millis),
    );
  }
  return fail(`Salesforce type ${salesforceType} is not supported`);
}

/** The comparable form of a value read from Salesforce (same form `toSalesforceValue` returns). */
export function normalizeSalesforceValue(value: unknown, salesforceType: string): SyncValue {
  if (isEmpty(value)) return null;
  const type = salesforceType.toLowerCase();
  if (type === 'datetime') {
    const millis = salesforceMillis(value);
    return Number.isNaN(millis) ? String(value) : isoDateTime(millis);
  }
  if (type === 'date') return String(value).trim().slice(0, 10);
  if (type === 'multipicklist') return sortedPicklist(String(value));
  if (type === 'boolean') return toBoolean(value) ?? String(value);
  if (numberTypes.has(type)) return toNumber(value) ?? String(value);
  return asText(value) ?? JSON.stringify(value);
}

/** Converts a Salesforce value to what an Intercom attribute of this type holds. */
export function toIntercomValue(
  value: unknown,
  salesforceType: string,
  intercomType: IntercomDataType,
): Conversion {
  if (isEmpty(value)) return ok(null);
  const type = salesforceType.toLowerCase();
  switch (intercomType) {
    case 'string': {
      // A Reference syncs its ID (seed 004), which is the value Salesforce returns.
      const normalized = normalizeSalesforceValue(value, type);
      return normalized === null ? ok(null) : ok(String(normalized));
    }
    case 'boolean': {
      const bool = toBoolean(value);
      return bool === undefined ? fail(`${String(value)} is not true or false`) : ok(bool);
    }
    case 'integer':
    case 'float': {
      const number = toNumber(value);
      if (number === undefined) return fail(`${String(value)} is not a number`);
      return ok(intercomType === 'integer' ? Math.round(number) : number);
    }
    case 'date': {
      const millis = salesforceMillis(value);
      return Number.isNaN(millis)
        ? fail(`${String(value)} is not a date`)
        : ok(Math.floor(millis / 1000));
    }
  }
}

/** The comparable form of a value read from Intercom (same form `toIntercomValue` returns). */
export function normalizeIntercomValue(value: unknown, intercomType: IntercomDataType): SyncValue {
  if (isEmpty(value)) return null;
  switch (intercomType) {
    case 'string':
      return asText(value) ?? JSON.stringify(value);
    case 'boolean':
      return toBoolean(value) ?? String(value);
    case 'integer':
    case 'float':
      return toNumber(value) ?? String(value);
    case 'date': {
      const millis = intercomMillis(value);
      return Number.isNaN(millis) ? String(value) : Math.floor(millis / 1000);
    }
  }
}
