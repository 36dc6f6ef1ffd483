import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jsforce from 'jsforce';
import { failure, idOf, startCustomisedHarness, type Connection, type Harness } from './helpers.ts';

interface Row {
  Id: string;
  [key: string]: unknown;
}

describe('SOQL', () => {
  let h: Harness;
  let conn: Connection;
  let accountId: string;
  before(async () => {
    h = await startCustomisedHarness();
    conn = await h.connect();
    accountId = idOf(await conn.sobject('Account').create({ Name: 'Acme' }));
    const people = [
      {
        FirstName: 'Ada',
        LastName: 'Lovelace',
        Email: 'ada@acme.com',
        Birthdate: '1815-12-10',
        AccountId: accountId,
        Title: 'Countess',
      },
      {
        FirstName: 'Alan',
        LastName: 'Turing',
        Email: 'alan@acme.com',
        Birthdate: '1912-06-23',
        AccountId: accountId,
      },
      { FirstName: 'Grace', LastName: 'Hopper', Email: 'grace@navy.mil', Birthdate: '1906-12-09' },
      { FirstName: 'Katherine', LastName: 'Johnson', Email: null, Birthdate: '1918-08-26' },
      { FirstName: '100%', LastName: 'Under_score', Email: 'odd@chars.org' },
    ];
    const result = await conn
      .sobject('Contact')
      .create(
        people.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== null))),
      );
    assert.ok(result.every((r) => r.success));
  });
  after(() => h.close());

  const names = async (soql: string): Promise<string[]> =>
    (await conn.query<Row>(soql)).records.map((r) => String(r['LastName']));

  it('selects fields and parent relationship fields, with null for a missing parent', async () => {
    const res = await conn.query<Row>(
      "SELECT Id, LastName, Account.Name, Owner.Email FROM Contact WHERE LastName IN ('Lovelace', 'Hopper') ORDER BY LastName",
    );
    assert.equal(res.totalSize, 2);
    assert.equal(res.done, true);
    const [hopper, lovelace] = res.records;
    assert.deepEqual(Object.keys(lovelace ?? {}), [
      'attributes',
      'Id',
      'LastName',
      'Account',
      'Owner',
    ]);
    assert.deepEqual(lovelace?.['Account'], {
      attributes: { type: 'Account', url: `/services/data/v59.0/sobjects/Account/${accountId}` },
      Name: 'Acme',
    });
    assert.equal((lovelace?.['Owner'] as { Email: string }).Email, 'ada.admin@tandem-demo.example');
    assert.equal(hopper?.['Account'], null);
  });

  it('filters with comparisons, LIKE, IN, NOT IN, AND, OR, NOT and parentheses', async () => {
    assert.deepEqual(
      await names("SELECT LastName FROM Contact WHERE Email LIKE '%@ACME.com' ORDER BY LastName"),
      ['Lovelace', 'Turing'],
    );
    assert.deepEqual(await names("SELECT LastName FROM Contact WHERE FirstName = 'ada'"), [
      'Lovelace',
    ]);
    assert.deepEqual(
      await names(
        "SELECT LastName FROM Contact WHERE LastName NOT IN ('Lovelace', 'Turing', 'Under_score') ORDER BY LastName",
      ),
      ['Hopper', 'Johnson'],
    );
    assert.deepEqual(
      await names(
        "SELECT LastName FROM Contact WHERE (FirstName = 'Ada' OR FirstName = 'Grace') AND NOT Email LIKE '%navy%'",
      ),
      ['Lovelace'],
    );
    assert.deepEqual(
      await names(
        "SELECT LastName FROM Contact WHERE LastName > 'L' AND LastName <= 'Turing' ORDER BY LastName",
      ),
      ['Lovelace', 'Turing'],
    );
    assert.deepEqual(await names("SELECT LastName FROM Contact WHERE LastName LIKE 'Under\\_%'"), [
      'Under_score',
    ]);
    assert.deepEqual(await names("SELECT LastName FROM Contact WHERE FirstName LIKE '100\\%'"), [
      'Under_score',
    ]);
    assert.deepEqual(
      await names("SELECT LastName FROM Contact WHERE Account.Name = 'Acme' ORDER BY LastName"),
      ['Lovelace', 'Turing'],
    );
  });

  it('handles null, booleans, dates, datetimes and date literals', async () => {
    assert.deepEqual(await names('SELECT LastName FROM Contact WHERE Email = null'), ['Johnson']);
    assert.equal((await names('SELECT LastName FROM Contact WHERE Email != null')).length, 4);
    assert.deepEqual(await names('SELECT LastName FROM Contact WHERE Birthdate < 1900-01-01'), [
      'Lovelace',
    ]);
    assert.deepEqual(
      await names(
        'SELECT LastName FROM Contact WHERE Birthdate >= 1912-06-23 ORDER BY Birthdate DESC',
      ),
      ['Johnson', 'Turing'],
    );
    assert.equal((await names('SELECT LastName FROM Contact WHERE IsDeleted = false')).length, 5);
    assert.equal((await names('SELECT LastName FROM Contact WHERE CreatedDate = TODAY')).length, 5);
    assert.equal(
      (await names('SELECT LastName FROM Contact WHERE CreatedDate = LAST_N_DAYS:3')).length,
      5,
    );
    assert.equal(
      (await names('SELECT LastName FROM Contact WHERE CreatedDate > 2000-01-01T00:00:00Z')).length,
      5,
    );
    assert.equal(
      (await names('SELECT LastName FROM Contact WHERE CreatedDate < 2000-01-01T00:00:00.000+0000'))
        .length,
      0,
    );
    assert.equal(
      (await names('SELECT LastName FROM Contact WHERE CreatedDate = YESTERDAY')).length,
      0,
    );
  });

  it('orders by several fields with ASC, DESC and NULLS FIRST/LAST, then OFFSET and LIMIT', async () => {
    assert.deepEqual(
      await names('SELECT LastName FROM Contact ORDER BY Email NULLS FIRST, LastName'),
      ['Johnson', 'Lovelace', 'Turing', 'Hopper', 'Under_score'],
    );
    assert.deepEqual(await names('SELECT LastName FROM Contact ORDER BY Email DESC NULLS LAST'), [
      'Under_score',
      'Hopper',
      'Turing',
      'Lovelace',
      'Johnson',
    ]);
    assert.deepEqual(
      await names(
        'SELECT LastName FROM Contact ORDER BY AccountId NULLS LAST, LastName DESC LIMIT 3',
      ),
      ['Turing', 'Lovelace', 'Under_score'],
    );
    assert.deepEqual(
      await names('SELECT LastName FROM Contact ORDER BY LastName LIMIT 2 OFFSET 1'),
      ['Johnson', 'Lovelace'],
    );
  });

  it("answers the queries jsforce's own query builder writes", async () => {
    const found = await conn
      .sobject('Contact')
      .find({ Email: { $like: '%acme.com' }, Birthdate: { $ne: null } }, [
        'Id',
        'LastName',
        'Account.Name',
      ])
      .sort({ LastName: -1 })
      .limit(5)
      .skip(0);
    assert.deepEqual(
      found.map((r) => r['LastName']),
      ['Turing', 'Lovelace'],
    );
    const recent = await conn
      .sobject('Contact')
      .find(
        { CreatedDate: { $gte: jsforce.Date.YESTERDAY }, LastName: { $in: ['Hopper', 'Johnson'] } },
        ['LastName'],
      )
      .sort('LastName');
    assert.deepEqual(
      recent.map((r) => r['LastName']),
      ['Hopper', 'Johnson'],
    );
    // With no field list jsforce describes the object and selects every field, compound ones too.
    const everything = await conn.sobject('Contact').find({ LastName: 'Lovelace' });
    assert.equal(everything[0]?.['Title'], 'Countess');
    assert.equal(everything[0]?.['MailingAddress'], null);
  });

  it('counts with COUNT() and COUNT(field)', async () => {
    const count = await conn.query("SELECT COUNT() FROM Contact WHERE Email LIKE '%acme.com'");
    assert.equal(count.totalSize, 2);
    assert.deepEqual(count.records, []);
    const agg = await conn.query('SELECT COUNT(Email) total FROM Contact');
    assert.deepEqual(agg.records, [{ attributes: { type: 'AggregateResult' }, total: 4 }]);
  });

  it('finds records by 15- and 18-character ids', async () => {
    const id18 = (await conn.query<Row>("SELECT Id FROM Contact WHERE LastName = 'Hopper'"))
      .records[0]?.Id as string;
    assert.deepEqual(
      await names(`SELECT LastName FROM Contact WHERE Id = '${id18.slice(0, 15)}'`),
      ['Hopper'],
    );
    assert.deepEqual(
      await names(`SELECT LastName FROM Contact WHERE Id IN ('${id18}', '003000000000000AAA')`),
      ['Hopper'],
    );
  });

  it('pages past 2,000 rows with nextRecordsUrl, and jsforce queryMore reads them all', async () => {
    const batch = Array.from({ length: 200 }, (_, i) => ({
      attributes: { type: 'Lead' },
      LastName: `Bulk${i}`,
      Company: 'Paging',
    }));
    for (let i = 0; i < 11; i++) {
      const res = (await conn.requestPost('/services/data/v59.0/composite/sobjects', {
        allOrNone: true,
        records: batch,
      })) as { success: boolean }[];
      assert.ok(res.every((r) => r.success));
    }
    const first = await conn.query<Row>("SELECT Id, LastName FROM Lead WHERE Company = 'Paging'");
    assert.equal(first.totalSize, 2200);
    assert.equal(first.done, false);
    assert.equal(first.records.length, 2000);
    // jsforce makes the relative nextRecordsUrl absolute.
    assert.match(
      first.nextRecordsUrl ?? '',
      /^http:\/\/127\.0\.0\.1:\d+\/services\/data\/v59\.0\/query\/[A-Za-z0-9]+-2000$/,
    );
    const second = await conn.queryMore<Row>(first.nextRecordsUrl as string);
    assert.equal(second.done, true);
    assert.equal(second.records.length, 200);
    const ids = new Set([...first.records, ...second.records].map((r) => r.Id));
    assert.equal(ids.size, 2200);
    const all = await conn
      .query<Row>("SELECT Id FROM Lead WHERE Company = 'Paging'")
      .run({ autoFetch: true, maxFetch: 5000 });
    assert.equal(all.records.length, 2200);
    const small = await conn.query("SELECT Id FROM Lead WHERE Company = 'Paging'", {
      headers: { 'Sforce-Query-Options': 'batchSize=500' },
    });
    assert.equal(small.records.length, 500);
  });

  it('answers MALFORMED_QUERY pointing at the row and column, and says what is unsupported', async () => {
    const e = await failure(conn.query('SELECT Id FROM Contact WHERE'));
    assert.equal(e.errorCode, 'MALFORMED_QUERY');
    assert.equal(
      e.message,
      '\nSELECT Id FROM Contact WHERE\n                            ^\nERROR at Row:1:Column:29\nunexpected token: <EOF>',
    );
    const mixed = await failure(
      conn.query("SELECT Id FROM Contact WHERE FirstName = 'a' AND LastName = 'b' OR Email = null"),
    );
    assert.equal(mixed.errorCode, 'MALFORMED_QUERY');
    assert.match(mixed.message, /unexpected token: 'OR'$/);
    const grouped = await failure(
      conn.query('SELECT LastName, COUNT(Id) FROM Contact GROUP BY LastName'),
    );
    assert.equal(grouped.errorCode, 'MALFORMED_QUERY');
    const sub = await failure(conn.query('SELECT Id, (SELECT Id FROM Contacts) FROM Account'));
    assert.match(sub.message, /child relationship sub-queries are not supported/);
    const semi = await failure(
      conn.query('SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account)'),
    );
    assert.match(semi.message, /semi-join sub-queries/);
    const group = await failure(conn.query('SELECT Id FROM Contact GROUP BY Id'));
    assert.match(group.message, /GROUP BY is not supported/);
  });

  it('answers INVALID_FIELD and INVALID_TYPE for unknown fields and objects', async () => {
    const field = await failure(conn.query('SELECT Id, Nope__c FROM Contact'));
    assert.equal(field.errorCode, 'INVALID_FIELD');
    assert.match(
      field.message,
      /ERROR at Row:1:Column:12\nNo such column 'Nope__c' on entity 'Contact'/,
    );
    const rel = await failure(conn.query('SELECT Nope.Name FROM Contact'));
    assert.match(rel.message, /Didn't understand relationship 'Nope' in field path/);
    const type = await failure(conn.query('SELECT Id FROM Nope__c'));
    assert.equal(type.errorCode, 'INVALID_TYPE');
    assert.match(type.message, /sObject type 'Nope__c' is not supported/);
    const quoted = await failure(
      conn.query("SELECT Id FROM Contact WHERE Birthdate = '2020-01-01'"),
    );
    assert.equal(quoted.errorCode, 'INVALID_FIELD');
    assert.match(quoted.message, /must be of type date and should not be enclosed in quotes/);
    const badId = await failure(conn.query("SELECT Id FROM Contact WHERE Id = 'xyz'"));
    assert.equal(badId.errorCode, 'INVALID_QUERY_FILTER_OPERATOR');
    const unfilterable = await failure(
      conn.query("SELECT Id FROM Contact WHERE Description = 'x'"),
    );
    assert.equal(unfilterable.errorCode, 'INVALID_FIELD');
    assert.match(unfilterable.message, /field 'Description' can not be filtered in a query call$/);
    const unsortable = await failure(conn.query('SELECT Id FROM Contact ORDER BY Description'));
    assert.match(unsortable.message, /field 'Description' can not be sorted in a query call$/);
    const offset = await failure(conn.query('SELECT Id FROM Contact LIMIT 10 OFFSET 2001'));
    assert.equal(offset.errorCode, 'NUMBER_OUTSIDE_VALID_RANGE');
  });
});
