import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseBulkError,
  parseCsvRecords,
  toFailures,
  toIngestCsv,
  toSuccesses,
} from './bulk-csv.ts';

describe('Bulk API 2.0 CSV', () => {
  it('uploads null as #N/A, an absent value as an empty cell, and quotes what needs it', () => {
    const csv = toIngestCsv(
      [
        { LastName: 'Doe, Jane', Phone: null, HasOptedOutOfEmail: true, NumberOfEmployees: 12 },
        { LastName: 'Line\nbreak "q"', HasOptedOutOfEmail: false },
      ],
      ['LastName', 'Phone', 'HasOptedOutOfEmail', 'NumberOfEmployees'],
    );
    assert.equal(
      csv,
      'LastName,Phone,HasOptedOutOfEmail,NumberOfEmployees\n' +
        '"Doe, Jane",#N/A,true,12\n' +
        '"Line\nbreak ""q""",,false,\n',
    );
  });

  it('refuses an object value: Bulk 2.0 cells are flat', () => {
    assert.throws(() => toIngestCsv([{ Address: { City: 'X' } }], ['Address']), /Address/);
  });

  it('reads empty cells as null, and an empty line of a one-column result as a null row', () => {
    assert.deepEqual(parseCsvRecords('"Id","Phone"\n"00Q1",""\n"00Q2","+1"\n'), [
      { Id: '00Q1', Phone: null },
      { Id: '00Q2', Phone: '+1' },
    ]);
    assert.deepEqual(parseCsvRecords('Phone\n\n+1\n'), [{ Phone: null }, { Phone: '+1' }]);
    assert.deepEqual(parseCsvRecords(''), []);
  });

  it('takes sf__Error apart even when the message holds colons', () => {
    assert.deepEqual(
      parseBulkError('REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --'),
      {
        error: 'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
        errorCode: 'REQUIRED_FIELD_MISSING',
        message: 'Required fields are missing: [LastName]',
        fields: ['LastName'],
      },
    );
    const email = parseBulkError(
      'INVALID_EMAIL_ADDRESS:Email: invalid email address: not-an-email:Email --',
    );
    assert.equal(email.message, 'Email: invalid email address: not-an-email');
    assert.deepEqual(email.fields, ['Email']);
    const none = parseBulkError('INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--');
    assert.deepEqual(
      [none.errorCode, none.message, none.fields],
      ['INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []],
    );
    const two = parseBulkError(
      'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName, Company]:LastName,Company --',
    );
    assert.deepEqual(two.fields, ['LastName', 'Company']);
  });

  it('finds the fields of an sf__Error written without the trailing field list', () => {
    const bare = parseBulkError('REQUIRED_FIELD_MISSING:Required fields are missing: [Name]');
    assert.equal(bare.message, 'Required fields are missing: [Name]');
    assert.deepEqual(bare.fields, ['Name']);
    const typed = parseBulkError(
      'INVALID_TYPE_ON_FIELD_IN_RECORD:Amount: value not of required type',
    );
    assert.deepEqual([typed.message, typed.fields], ['Amount: value not of required type', []]);
  });

  it('reads successful and failed result rows with their uploaded columns', () => {
    assert.deepEqual(toSuccesses('"sf__Id","sf__Created","LastName"\n"00Q1","true","Doe"\n'), [
      { id: '00Q1', created: true, record: { LastName: 'Doe' } },
    ]);
    const [failed] = toFailures(
      '"sf__Id","sf__Error","LastName","Company"\n"","REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --","","Acme"\n',
    );
    assert.equal(failed?.id, undefined);
    assert.equal(failed?.errorCode, 'REQUIRED_FIELD_MISSING');
    assert.deepEqual(failed?.record, { LastName: null, Company: 'Acme' });
  });
});
