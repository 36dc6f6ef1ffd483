import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compatible, intercomToSalesforce, salesforceToIntercom } from './compatibility.ts';
import type { IntercomDataType } from './intercom.ts';

// Seed 004's tables, transcribed as the article prints them.
const seedIntercomToSalesforce = `
Text | string, textarea, phone, url, email, reference, encryptedstring, picklist, multipicklist
Number, Decimal | int, double, currency, percent, string, textarea, encryptedstring
True or false | boolean, string, textarea, encryptedstring
Date | datetime, date, time, string, textarea, encryptedstring`;
const seedSalesforceToIntercom = `
string, textarea, phone, url, email, reference, id, picklist, multipicklist, address, location | Text
boolean | True or false, Text
Int, double, currency, percent | Number, Decimal, Text
datetime, date | Date, Text
time | Text`;

const intercomType: Record<string, IntercomDataType> = {
  Text: 'string',
  Number: 'integer',
  Decimal: 'float',
  'True or false': 'boolean',
  Date: 'date',
};
const list = (text: string) => text.split(',').map((item) => item.trim());

interface Cell {
  intercom: IntercomDataType;
  intercomLabel: string;
  salesforce: string;
}

function cellsOf(table: string, intercomFirst: boolean): Cell[] {
  return table
    .trim()
    .split('\n')
    .flatMap((row) => {
      const [left = '', right = ''] = row.split('|');
      const [intercomLabels, salesforceTypes] = intercomFirst
        ? [list(left), list(right)]
        : [list(right), list(left)];
      return intercomLabels.flatMap((label) =>
        salesforceTypes.map((salesforce) => ({
          intercom: intercomType[label]!,
          intercomLabel: label,
          salesforce: salesforce.toLowerCase(),
        })),
      );
    });
}

const toSalesforceCells = cellsOf(seedIntercomToSalesforce, true);
const toIntercomCells = cellsOf(seedSalesforceToIntercom, false);
const allSalesforceTypes = [
  ...new Set([...toSalesforceCells, ...toIntercomCells].map((cell) => cell.salesforce)),
  'combobox',
  'base64',
  'anytype',
];
const allIntercomTypes = Object.entries(intercomType);

describe('Intercom ➡️ Salesforce type table (seed 004)', () => {
  for (const cell of toSalesforceCells) {
    it(`syncs Intercom ${cell.intercomLabel} to a Salesforce ${cell.salesforce} field`, () => {
      assert.equal(compatible(cell.intercom, cell.salesforce, 'to_salesforce'), true);
    });
  }
  for (const [label, type] of allIntercomTypes) {
    const allowed = new Set(
      toSalesforceCells.filter((c) => c.intercom === type).map((c) => c.salesforce),
    );
    const refused = allSalesforceTypes.filter((salesforce) => !allowed.has(salesforce));
    it(`refuses Intercom ${label} to Salesforce ${refused.join(', ')}`, () => {
      for (const salesforce of refused) {
        assert.equal(compatible(type, salesforce, 'to_salesforce'), false, salesforce);
      }
    });
  }
  it('holds exactly the seed cells as data, one row per cell', () => {
    const key = (c: { intercom: string; salesforce: string }) =>
      `${c.intercom}>${c.salesforce.toLowerCase()}`;
    assert.deepEqual(intercomToSalesforce.map(key).sort(), toSalesforceCells.map(key).sort());
  });
});

describe('Salesforce ➡️ Intercom type table (seed 004)', () => {
  for (const cell of toIntercomCells) {
    it(`syncs a Salesforce ${cell.salesforce} field to Intercom ${cell.intercomLabel}`, () => {
      assert.equal(compatible(cell.intercom, cell.salesforce, 'to_intercom'), true);
    });
  }
  for (const [label, type] of allIntercomTypes) {
    const allowed = new Set(
      toIntercomCells.filter((c) => c.intercom === type).map((c) => c.salesforce),
    );
    const refused = allSalesforceTypes.filter((salesforce) => !allowed.has(salesforce));
    it(`refuses Salesforce ${refused.join(', ')} to Intercom ${label}`, () => {
      for (const salesforce of refused) {
        assert.equal(compatible(type, salesforce, 'to_intercom'), false, salesforce);
      }
    });
  }
  it('holds exactly the seed cells as data, one row per cell', () => {
    const key = (c: { intercom: string; salesforce: string }) =>
      `${c.intercom}>${c.salesforce.toLowerCase()}`;
    assert.deepEqual(salesforceToIntercom.map(key).sort(), toIntercomCells.map(key).sort());
  });
});

describe('both directions', () => {
  const rows: [IntercomDataType, string, boolean, string][] = [
    ['string', 'picklist', true, 'Text ⇄ picklist is in both tables'],
    ['string', 'encryptedstring', false, 'encryptedstring cannot be read back into Intercom'],
    ['date', 'time', false, 'a time cannot become an Intercom Date'],
    ['date', 'datetime', true, 'Date ⇄ datetime is in both tables'],
    ['string', 'id', false, 'an id can be read but never written'],
    ['boolean', 'boolean', true, 'True or false ⇄ boolean is in both tables'],
  ];
  for (const [intercom, salesforce, expected, why] of rows) {
    it(`${expected ? 'allows' : 'refuses'} ${intercom} ⇄ ${salesforce} both ways: ${why}`, () => {
      assert.equal(compatible(intercom, salesforce, 'both'), expected);
    });
  }
  it('reads the seed spelling Int like int', () => {
    assert.equal(compatible('integer', 'Int', 'to_intercom'), true);
  });
});

describe('docs/mappings.md', () => {
  const docs = readFileSync(new URL('../../docs/mappings.md', import.meta.url), 'utf8');
  const rowsOf = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((row) => row.replace(/\s+/g, ' ').trim());
  const docRows = new Set(
    docs
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((line) =>
        line
          .slice(1, -1)
          .split('|')
          .map((cell) => cell.trim())
          .join(' | '),
      ),
  );

  it('prints both seed tables exactly', () => {
    for (const row of [...rowsOf(seedIntercomToSalesforce), ...rowsOf(seedSalesforceToIntercom)]) {
      // The docs spell every Salesforce type in lower case, as the API does (the seed writes `Int`).
      assert.ok(docRows.has(row.replace(/^Int,/, 'int,')), `missing row: ${row}`);
    }
  });

  it('prints a grid that agrees with compatible() for every cell', () => {
    const symbol = (type: IntercomDataType, salesforce: string) => {
      const to = compatible(type, salesforce, 'to_salesforce');
      const from = compatible(type, salesforce, 'to_intercom');
      return to && from ? '⇄' : to ? '→' : from ? '←' : '';
    };
    const grid = [...toSalesforceCells, ...toIntercomCells].map((cell) => cell.salesforce);
    for (const salesforce of new Set(grid)) {
      const row = [
        salesforce,
        ...allIntercomTypes.map(([, type]) => symbol(type, salesforce)),
      ].join(' | ');
      assert.ok(docRows.has(row), `grid row for ${salesforce} should read: ${row}`);
    }
  });
});
