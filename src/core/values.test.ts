import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IntercomDataType } from './intercom.ts';
import {
  isEmpty,
  normalizeIntercomValue,
  normalizeSalesforceValue,
  toIntercomValue,
  toSalesforceValue,
  type SyncValue,
} from './values.ts';

// 2026-01-31T12:00:00Z
const noon = 1_769_860_800;

describe('Intercom ➡️ Salesforce values', () => {
  const rows: [string, unknown, IntercomDataType, string, SyncValue][] = [
    ['a Date to a datetime as ISO UTC', noon, 'date', 'datetime', '2026-01-31T12:00:00.000Z'],
    ['a Date to a date as its UTC day', noon, 'date', 'date', '2026-01-31'],
    ['a Date to a time as its UTC time of day', noon, 'date', 'time', '12:00:00.000Z'],
    ['a Date to text as ISO UTC', noon, 'date', 'string', '2026-01-31T12:00:00.000Z'],
    ['a Number to an int', 7, 'integer', 'int', 7],
    ['a Decimal to an int, rounded', 7.6, 'float', 'int', 8],
    ['a Decimal to currency', 19.99, 'float', 'currency', 19.99],
    ['a numeric text to a percent', '12.5', 'float', 'percent', 12.5],
    ['a Number to text', 42, 'integer', 'textarea', '42'],
    ['True or false to a checkbox', true, 'boolean', 'boolean', true],
    ['the text "false" to a checkbox', 'false', 'boolean', 'boolean', false],
    ['True or false to text', false, 'boolean', 'string', 'false'],
    ['Text to a picklist unchanged', 'Hot', 'string', 'picklist', 'Hot'],
    ['Text to a multi-select picklist in a stable order', 'b; a', 'string', 'multipicklist', 'a;b'],
    [
      'Text to a Reference as the record ID',
      '001000000000001AAA',
      'string',
      'reference',
      '001000000000001AAA',
    ],
    ['an empty text to null', '  ', 'string', 'string', null],
  ];
  for (const [name, value, from, to, expected] of rows) {
    it(`converts ${name}`, () => {
      assert.deepEqual(toSalesforceValue(value, from, to), { ok: true, value: expected });
    });
  }
  it('refuses text that is not a number for a number field', () => {
    assert.equal(toSalesforceValue('many', 'string', 'double').ok, false);
  });
  it('refuses a value that is not a date for a date field', () => {
    assert.equal(toSalesforceValue('soon', 'date', 'date').ok, false);
  });
});

describe('Salesforce ➡️ Intercom values', () => {
  const rows: [string, unknown, string, IntercomDataType, SyncValue][] = [
    [
      'a datetime to a Date in UNIX seconds',
      '2026-01-31T12:00:00.000+0000',
      'datetime',
      'date',
      noon,
    ],
    ['a date to a Date at UTC midnight', '2026-01-31', 'date', 'date', noon - 12 * 3600],
    [
      'a datetime to Text as ISO UTC',
      '2026-01-31T12:00:00.000+0000',
      'datetime',
      'string',
      '2026-01-31T12:00:00.000Z',
    ],
    ['a time to Text', '08:30:00.000Z', 'time', 'string', '08:30:00.000Z'],
    ['a checkbox to True or false', true, 'boolean', 'boolean', true],
    ['a checkbox to Text', true, 'boolean', 'string', 'true'],
    ['a double to a Number, rounded', 2.4, 'double', 'integer', 2],
    ['a currency to a Decimal', 10.5, 'currency', 'float', 10.5],
    ['a percent to Text', 50, 'percent', 'string', '50'],
    [
      'a Reference to Text as the record ID',
      '005000000000001AAA',
      'reference',
      'string',
      '005000000000001AAA',
    ],
    ['an id to Text', '00Q000000000001AAA', 'id', 'string', '00Q000000000001AAA'],
    [
      'a multi-select picklist to Text',
      'Support;Billing',
      'multipicklist',
      'string',
      'Billing;Support',
    ],
    ['null to null', null, 'string', 'string', null],
  ];
  for (const [name, value, from, to, expected] of rows) {
    it(`converts ${name}`, () => {
      assert.deepEqual(toIntercomValue(value, from, to), { ok: true, value: expected });
    });
  }
});

describe('comparable forms', () => {
  it('gives equal Salesforce date-times written with different offsets the same form', () => {
    assert.equal(
      normalizeSalesforceValue('2026-01-31T13:00:00.000+0100', 'datetime'),
      normalizeSalesforceValue('2026-01-31T12:00:00Z', 'datetime'),
    );
  });
  it('reads an Intercom date given as an ISO string in UNIX seconds', () => {
    assert.equal(normalizeIntercomValue('2026-01-31T12:00:00Z', 'date'), noon);
  });
  it('treats null, undefined, blank text and empty lists as empty, and zero or false as values', () => {
    assert.deepEqual([null, undefined, '', ' ', []].map(isEmpty), [true, true, true, true, true]);
    assert.deepEqual([0, false, 'x'].map(isEmpty), [false, false, false]);
  });
});
