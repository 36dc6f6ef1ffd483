import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConnectorError, Result } from '../../src/connectors/result.ts';
import type { BulkRecord, SalesforceConnector } from '../../src/connectors/salesforce/index.ts';
import {
  eventually,
  startSalesforceHarness,
  type SalesforceHarness,
} from './salesforce-harness.ts';

function value<T>(result: Result<T> | undefined): T {
  assert.ok(result, 'expected a result');
  if (!result.ok) assert.fail(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function failure<T>(result: Result<T>): ConnectorError {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as { ok: false; error: ConnectorError }).error;
}

const poll = { pollMs: 10 };

describe('Salesforce connector: Bulk API 2.0', () => {
  let h: SalesforceHarness;
  let sf: SalesforceConnector;

  before(async () => {
    h = await startSalesforceHarness();
    sf = h.connector();
    value(await sf.connect());
    // 5,000 Leads; every third one without a phone, so the query must keep nulls.
    const leads = Array.from({ length: 5_000 }, (_, i) => ({
      LastName: `Query ${String(i).padStart(4, '0')}`,
      Company: 'Bulk Read Co',
      ...(i % 3 === 0 ? {} : { Phone: `+1 555 ${String(i).padStart(4, '0')}` }),
    }));
    const seeded = await h.control('seed', { records: { Lead: leads } });
    assert.equal(seeded.status, 200, JSON.stringify(seeded.body));
  });
  after(async () => {
    await h.close();
  });

  it('counts records with SELECT COUNT()', async () => {
    assert.equal(value(await sf.count('Lead', "Company = 'Bulk Read Co'")), 5_000);
    assert.equal(value(await sf.count('Account')), 0);
  });

  it('streams a query of 5,000 records in several pages, keeping nulls as null', async () => {
    const pages: BulkRecord[][] = [];
    const positions: (string | null)[] = [];
    for await (const page of sf.bulkQuery(
      "SELECT Id, LastName, Phone FROM Lead WHERE Company = 'Bulk Read Co'",
      { ...poll, maxRecords: 1_200, onPage: (p) => positions.push(p.nextLocator) },
    ))
      pages.push(value(page));
    assert.deepEqual(
      pages.map((p) => p.length),
      [1_200, 1_200, 1_200, 1_200, 200],
    );
    assert.equal(positions.at(-1), null);
    const rows = pages.flat();
    assert.equal(new Set(rows.map((r) => r['Id'])).size, 5_000);
    const byName = new Map(rows.map((r) => [r['LastName'], r]));
    assert.equal(byName.get('Query 0003')?.['Phone'], null);
    assert.equal(byName.get('Query 0004')?.['Phone'], '+1 555 0004');
    assert.equal(rows.filter((r) => r['Phone'] === null).length, 1_667);
  });

  it('resumes a query from a stored position and reads only the pages after it', async () => {
    let stored: { jobId: string; nextLocator: string | null } | undefined;
    const first = sf.bulkQuery("SELECT Id FROM Lead WHERE Company = 'Bulk Read Co'", {
      ...poll,
      maxRecords: 2_000,
      onPage: (p) => (stored = p),
    });
    const head = value((await first.next()).value as Result<BulkRecord[]>);
    await first.return(undefined);
    assert.ok(stored);
    const rest: BulkRecord[] = [];
    for await (const page of h
      .connector()
      .bulkQuery('', { ...poll, maxRecords: 2_000, resume: stored }))
      rest.push(...value(page));
    assert.equal(head.length + rest.length, 5_000);
    const ids = new Set([...head, ...rest].map((r) => r['Id']));
    assert.equal(ids.size, 5_000);
  });

  it('answers a malformed query as a validation failure', async () => {
    const results = [];
    for await (const page of sf.bulkQuery('SELECT Nope FROM Lead', poll)) results.push(page);
    assert.equal(results.length, 1);
    const error = failure(results[0] as Result<BulkRecord[]>);
    assert.equal(error.code, 'validation');
  });

  it('inserts 3,000 Leads: 2,998 with ids and their columns, 2 failed naming the missing field', async () => {
    const records = Array.from({ length: 3_000 }, (_, i) => ({
      // Rows 100 and 2,000 have no LastName.
      ...(i === 100 || i === 2_000 ? {} : { LastName: `Ingest ${i}` }),
      Company: 'Bulk Write Co',
      Intercom_Id__c: `ic-${i}`,
      Phone: i % 2 === 0 ? null : `+44 ${i}`,
    }));
    const job = value(await sf.bulkIngestCreate('Lead', 'insert'));
    assert.match(job.id, /^750/);
    value(
      await sf.bulkIngestUpload(job.id, records, [
        'LastName',
        'Company',
        'Intercom_Id__c',
        'Phone',
      ]),
    );
    assert.equal(value(await sf.bulkIngestClose(job.id)).state, 'UploadComplete');
    const done = value(await sf.bulkIngestWait(job.id, poll));
    assert.equal(done.state, 'JobComplete');
    assert.equal(done.processed, 3_000);
    assert.equal(done.failed, 2);

    const results = value(await sf.bulkIngestResults(job.id));
    assert.equal(results.successful.length, 2_998);
    assert.equal(results.failed.length, 2);
    assert.equal(results.unprocessed.length, 0);
    const one = results.successful.find((s) => s.record['Intercom_Id__c'] === 'ic-7');
    assert.ok(one);
    assert.match(one.id, /^00Q/);
    assert.equal(one.created, true);
    assert.deepEqual(one.record, {
      LastName: 'Ingest 7',
      Company: 'Bulk Write Co',
      Intercom_Id__c: 'ic-7',
      Phone: '+44 7',
    });
    assert.deepEqual(results.failed.map((f) => f.record['Intercom_Id__c']).sort(), [
      'ic-100',
      'ic-2000',
    ]);
    for (const failed of results.failed) {
      assert.equal(failed.errorCode, 'REQUIRED_FIELD_MISSING');
      assert.deepEqual(failed.fields, ['LastName']);
      assert.match(failed.message, /Required fields are missing/);
    }
    assert.equal(value(await sf.count('Lead', "Company = 'Bulk Write Co'")), 2_998);
    const stored = value(await sf.retrieve('Lead', one.id, ['LastName', 'Phone']));
    assert.equal(stored['LastName'], 'Ingest 7');

    // A fresh connector (Tandem restarted) reattaches to the job by its id alone.
    const restarted = h.connector();
    const again = value(await restarted.bulkIngestResults(job.id));
    assert.deepEqual(
      again.successful.map((s) => s.id).sort(),
      results.successful.map((s) => s.id).sort(),
    );
    assert.equal(again.failed.length, 2);
    assert.equal(value(await restarted.bulkIngestState(job.id)).state, 'JobComplete');
  });

  it('upserts on an external ID: creates first, updates the same records the second time', async () => {
    const run = async (suffix: string) => {
      const job = value(
        await sf.bulkIngestCreate('Contact', 'upsert', { externalIdField: 'Customer_Number__c' }),
      );
      const rows = ['CN-U-1', 'CN-U-2', 'CN-U-3'].map((cn) => ({
        Customer_Number__c: cn,
        LastName: `Upsert ${cn} ${suffix}`,
      }));
      value(await sf.bulkIngestUpload(job.id, rows, ['Customer_Number__c', 'LastName']));
      value(await sf.bulkIngestClose(job.id));
      assert.equal(value(await sf.bulkIngestWait(job.id, poll)).state, 'JobComplete');
      return value(await sf.bulkIngestResults(job.id));
    };
    const created = await run('first');
    assert.deepEqual(
      created.successful.map((s) => s.created),
      [true, true, true],
    );
    const updated = await run('second');
    assert.deepEqual(
      updated.successful.map((s) => s.created),
      [false, false, false],
    );
    assert.deepEqual(
      updated.successful.map((s) => s.id).sort(),
      created.successful.map((s) => s.id).sort(),
    );
    assert.equal(value(await sf.count('Contact', "LastName LIKE 'Upsert CN-U-% second'")), 3);
    assert.equal(value(await sf.count('Contact', "LastName LIKE 'Upsert %'")), 3);
  });

  it('blanks a field with null and leaves it alone when the value is absent', async () => {
    const found = value(
      await sf.findByField(
        'Lead',
        'Intercom_Id__c',
        ['ic-1', 'ic-3'],
        ['Id', 'Phone', 'Intercom_Id__c'],
      ),
    );
    const job = value(await sf.bulkIngestCreate('Lead', 'update'));
    value(
      await sf.bulkIngestUpload(
        job.id,
        found.map((r) => ({ Id: r.Id, Phone: r['Intercom_Id__c'] === 'ic-1' ? null : undefined })),
        ['Id', 'Phone'],
      ),
    );
    value(await sf.bulkIngestClose(job.id));
    value(await sf.bulkIngestWait(job.id, poll));
    const after = value(
      await sf.findByField('Lead', 'Intercom_Id__c', ['ic-1', 'ic-3'], ['Phone', 'Intercom_Id__c']),
    );
    const phone = new Map(after.map((r) => [r['Intercom_Id__c'], r['Phone']]));
    assert.equal(phone.get('ic-1'), null);
    assert.equal(phone.get('ic-3'), '+44 3');
  });

  it('aborts an open job, which then refuses uploads as a validation failure', async () => {
    const job = value(await sf.bulkIngestCreate('Lead', 'insert'));
    assert.equal(value(await sf.bulkIngestState(job.id)).state, 'Open');
    assert.equal(value(await sf.bulkIngestAbort(job.id)).state, 'Aborted');
    assert.equal(value(await sf.bulkIngestWait(job.id, poll)).state, 'Aborted');
    const refused = failure(
      await sf.bulkIngestUpload(
        job.id,
        [{ LastName: 'Late', Company: 'X' }],
        ['LastName', 'Company'],
      ),
    );
    assert.equal(refused.code, 'validation');
    assert.equal(refused.upstreamCode, 'INVALIDJOBSTATE');
  });

  it('stops waiting when the signal is aborted', async () => {
    const job = value(await sf.bulkIngestCreate('Lead', 'insert'));
    await assert.rejects(
      sf.bulkIngestWait(job.id, { ...poll, signal: AbortSignal.abort() }),
      (error: Error) => error.name === 'AbortError',
    );
  });

  it('keeps polling a job through a 503 answered once', async () => {
    const job = value(await sf.bulkIngestCreate('Lead', 'insert'));
    value(
      await sf.bulkIngestUpload(
        job.id,
        [{ LastName: 'Through 503', Company: 'Fault Co' }],
        ['LastName', 'Company'],
      ),
    );
    value(await sf.bulkIngestClose(job.id));
    const fault = await h.control('faults', {
      method: 'GET',
      path: `/services/data/*/jobs/ingest/${job.id}`,
      status: 503,
      times: 1,
    });
    assert.equal(fault.status, 201);
    const done = value(await sf.bulkIngestWait(job.id, poll));
    assert.equal(done.state, 'JobComplete');
    const faults = (await h.control('faults')).body as { faults: { hits: number }[] };
    assert.equal(faults.faults.at(-1)?.hits, 1);
    await h.control('faults', undefined, 'DELETE');
  });

  it('counts bulk calls in the API usage', async () => {
    const before = sf.usage()?.used ?? 0;
    value(await sf.bulkIngestState(value(await sf.bulkIngestCreate('Lead', 'insert')).id));
    assert.ok((sf.usage()?.used ?? 0) >= before + 2);
  });

  it('names Tandem as the client, so the change events of a bulk write carry client=tandem', async () => {
    const origins: string[] = [];
    const subscription = sf.subscribeChanges({
      channel: '/data/LeadChangeEvent',
      replayId: -1,
      onEvent: (event) => void origins.push(event.payload.ChangeEventHeader.changeOrigin),
      onError: () => undefined,
    });
    try {
      assert.deepEqual(await subscription.ready, { ok: true, value: undefined });
      const job = value(await sf.bulkIngestCreate('Lead', 'insert'));
      value(
        await sf.bulkIngestUpload(
          job.id,
          [{ LastName: 'Origin', Company: 'O' }],
          ['LastName', 'Company'],
        ),
      );
      value(await sf.bulkIngestClose(job.id));
      value(await sf.bulkIngestWait(job.id, poll));
      await eventually(() => origins.length >= 1);
      assert.match(origins[0] ?? '', /bulkapi.*;client=tandem$/);
    } finally {
      await subscription.cancel();
    }
  });
});
