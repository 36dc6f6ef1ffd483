import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failure, startCustomisedHarness, type Connection, type Harness } from './helpers.ts';

describe('Bulk API 2.0', () => {
  let h: Harness;
  let conn: Connection;
  before(async () => {
    h = await startCustomisedHarness({ bulkDelayMs: 20 });
    conn = await h.connect();
  });
  after(() => h.close());

  it('runs an insert ingest job through jsforce loadAndWaitForResults, with successful and failed rows', async () => {
    const input = [
      // jsforce takes the CSV header from the first record's keys.
      { LastName: 'Bulk1', Company: 'B', Email: 'bulk1@example.com', NumberOfEmployees: null },
      { LastName: 'Bulk2', Company: 'B', Email: 'not-an-email', NumberOfEmployees: 3 },
      { LastName: 'Bulk3', Company: 'B', Email: null, NumberOfEmployees: 12 },
    ];
    const res = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'insert',
      input,
      pollInterval: 20,
      pollTimeout: 10_000,
    });
    assert.equal(res.successfulResults.length, 2);
    assert.equal(res.failedResults.length, 1);
    assert.equal(res.unprocessedRecords.length, 0);
    assert.match(String(res.successfulResults[0]?.sf__Id), /^00Q/);
    assert.equal(res.successfulResults[0]?.sf__Created, 'true');
    assert.equal(
      res.failedResults[0]?.sf__Error,
      'INVALID_EMAIL_ADDRESS:Email: invalid email address: not-an-email:Email --',
    );
    const count = await conn.query("SELECT COUNT() FROM Lead WHERE Company = 'B'");
    assert.equal(count.totalSize, 2);
    const third = await conn.query<{ NumberOfEmployees: number }>(
      "SELECT NumberOfEmployees FROM Lead WHERE LastName = 'Bulk3'",
    );
    assert.equal(third.records[0]?.NumberOfEmployees, 12);
  });

  it('upserts by external ID in an ingest job, with the empty Id column jsforce sends', async () => {
    await conn.sobject('Contact').create({ LastName: 'Existing', Customer_Number__c: 'CN-B-1' });
    const res = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact',
      operation: 'upsert',
      externalIdFieldName: 'Customer_Number__c',
      input: [
        { LastName: 'Updated', Customer_Number__c: 'CN-B-1' },
        { LastName: 'Created', Customer_Number__c: 'CN-B-2' },
      ],
      pollInterval: 20,
      pollTimeout: 10_000,
    });
    assert.deepEqual(
      res.successfulResults.map((r) => r.sf__Created),
      ['false', 'true'],
    );
    const rows = await conn.query<{ LastName: string }>(
      "SELECT LastName FROM Contact WHERE Customer_Number__c IN ('CN-B-1', 'CN-B-2') ORDER BY LastName",
    );
    assert.deepEqual(
      rows.records.map((r) => r.LastName),
      ['Created', 'Updated'],
    );
  });

  it('follows the job states through the low-level calls and refuses uploads once closed', async () => {
    const job = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
    await job.open();
    assert.equal(job.getInfo().state, 'Open');
    assert.match(job.id ?? '', /^750/);
    await job.uploadData('Name,Website\nAlpha,https://alpha.example\nBeta,\n');
    await job.close();
    await job.poll(20, 10_000);
    const info = await job.check();
    assert.equal(info.state, 'JobComplete');
    assert.equal(info.numberRecordsProcessed, 2);
    const late = await failure(
      conn.request({
        method: 'PUT',
        url: `/services/data/v59.0/jobs/ingest/${job.id}/batches`,
        body: 'Name\nGamma\n',
        headers: { 'content-type': 'text/csv' },
      }),
    );
    assert.equal(late.errorCode, 'INVALIDJOBSTATE');
  });

  it('runs a query job whose results come back in one page with Sforce-Locator null', async () => {
    const records = await conn.bulk2.query(
      "SELECT Id, LastName, Owner.Email FROM Lead WHERE Company = 'B' ORDER BY LastName",
      { pollInterval: 20, pollTimeout: 10_000 },
    );
    const rows = await records.toArray();
    assert.equal(rows.length, 2);
    assert.deepEqual(Object.keys(rows[0] ?? {}), ['Id', 'LastName', 'Owner.Email']);
    assert.equal(rows[0]?.['Owner.Email'], 'ada.admin@tandem-demo.example');
    const dated = await (
      await conn.bulk2.query("SELECT CreatedDate FROM Lead WHERE Company = 'B' LIMIT 1", {
        pollInterval: 20,
        pollTimeout: 10_000,
      })
    ).toArray();
    assert.match(
      String(dated[0]?.['CreatedDate']),
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    );
    const job = (await conn.requestPost('/services/data/v59.0/jobs/query', {
      operation: 'query',
      query: 'SELECT Id FROM Lead',
    })) as { id: string };
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(
      `${h.url}/services/data/v59.0/jobs/query/${job.id}/results?maxRecords=2`,
      { headers: { authorization: `Bearer ${conn.accessToken}` } },
    );
    assert.equal(res.headers.get('content-type'), 'text/csv');
    assert.equal(res.headers.get('sforce-numberofrecords'), '2');
    const locator = res.headers.get('sforce-locator');
    const last = await fetch(
      `${h.url}/services/data/v59.0/jobs/query/${job.id}/results?locator=${locator}&maxRecords=2`,
      { headers: { authorization: `Bearer ${conn.accessToken}` } },
    );
    assert.equal(last.headers.get('sforce-locator'), 'null');
  });

  it('answers a malformed query job with the SOQL error', async () => {
    const e = await failure(
      conn.requestPost('/services/data/v59.0/jobs/query', {
        operation: 'query',
        query: 'SELECT FROM Lead',
      }),
    );
    assert.equal(e.errorCode, 'MALFORMED_QUERY');
  });
});
