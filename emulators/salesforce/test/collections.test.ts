import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import {
  failure,
  idOf,
  startCustomisedHarness,
  type Connection,
  type ErrorData,
  type Harness,
} from './helpers.ts';

const recordedCalls = JSON.parse(
  readFileSync(
    new URL('../fixtures/grouparoo/recorded_rest_calls_v42.json', import.meta.url),
    'utf8',
  ),
) as { responseBody: unknown }[];

describe('sObject Collections, composite and limits', () => {
  let h: Harness;
  let conn: Connection;
  before(async () => {
    h = await startCustomisedHarness();
    conn = await h.connect();
  });
  after(() => h.close());

  it('creates, updates, retrieves and deletes collections through jsforce, results in input order', async () => {
    const created = await conn
      .sobject('Contact')
      .create([{ LastName: 'A' }, { LastName: 'B' }, { LastName: 'C' }]);
    assert.deepEqual(
      created.map((r) => r.success),
      [true, true, true],
    );
    const ids = created.map((r) => (r as { id: string }).id);
    const updated = await conn
      .sobject('Contact')
      .update(ids.map((Id, i) => ({ Id, FirstName: `F${i}` })));
    assert.deepEqual(
      updated.map((r) => r.id),
      ids,
    );
    const retrieved = await conn.sobject('Contact').retrieve([ids[2] as string, ids[0] as string]);
    assert.deepEqual(
      retrieved.map((r) => r?.['FirstName']),
      ['F2', 'F0'],
    );
    const deleted = await conn.sobject('Contact').destroy(ids);
    assert.deepEqual(
      deleted.map((r) => r.success),
      [true, true, true],
    );
  });

  it('answers 200 with per-record statusCode errors when some records fail', async () => {
    const res = await conn
      .sobject('Account')
      .create([{ Name: 'Good' }, { Name: null }, { Name: 'Also good' }], { allOrNone: false });
    assert.equal(res[0]?.success, true);
    assert.deepEqual(res[1], {
      success: false,
      errors: [
        {
          statusCode: 'REQUIRED_FIELD_MISSING',
          message: 'Required fields are missing: [Name]',
          fields: ['Name'],
        },
      ],
    });
    assert.equal(res[2]?.success, true);
  });

  it('rolls the whole batch back with allOrNone and reports ALL_OR_NONE_OPERATION_ROLLED_BACK', async () => {
    const before = await conn.query("SELECT COUNT() FROM Account WHERE Name LIKE 'Atomic%'");
    const res = await conn
      .sobject('Account')
      .create([{ Name: 'Atomic 1' }, { Name: 'Atomic 2', Website: 'x'.repeat(300) }], {
        allOrNone: true,
      });
    assert.deepEqual(res[0], {
      success: false,
      errors: [
        {
          statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
          message:
            'Record rolled back because not all records were valid and the request was using AllOrNone header',
          fields: [],
        },
      ],
    });
    assert.equal(
      (res[1] as { errors: { statusCode: string }[] }).errors[0]?.statusCode,
      'STRING_TOO_LONG',
    );
    const after = await conn.query("SELECT COUNT() FROM Account WHERE Name LIKE 'Atomic%'");
    assert.equal(after.totalSize, before.totalSize);
  });

  it('reports a converted lead in a collection update as CANNOT_UPDATE_CONVERTED_LEAD, as recorded', async () => {
    const id = idOf(await conn.sobject('Lead').create({ LastName: 'Conv', Company: 'C' }));
    await h.control(`leads/${id}/convert`, {});
    const res = await conn.sobject('Lead').update([{ Id: id, LastName: 'NoEdit' }]);
    const recorded = recordedCalls.find((c) =>
      JSON.stringify(c.responseBody).includes('CANNOT_UPDATE_CONVERTED_LEAD'),
    );
    assert.ok(recorded);
    assert.deepEqual(res, recorded.responseBody);
  });

  it('upserts a collection by external ID with created flags', async () => {
    await conn.sobject('Lead').create({ LastName: 'Exists', Company: 'C', Intercom_Id__c: 'u-1' });
    const res = await conn.sobject('Lead').upsert(
      [
        { LastName: 'Exists2', Company: 'C', Intercom_Id__c: 'u-1' },
        { LastName: 'New', Company: 'C', Intercom_Id__c: 'u-2' },
      ],
      'Intercom_Id__c',
    );
    assert.deepEqual(
      res.map((r) => [r.success, (r as { created: boolean }).created]),
      [
        [true, false],
        [true, true],
      ],
    );
  });

  it('refuses more than 200 records and an empty delete', async () => {
    const records = Array.from({ length: 201 }, () => ({
      attributes: { type: 'Account' },
      Name: 'x',
    }));
    const e = await failure(
      conn.requestPost('/services/data/v59.0/composite/sobjects', { allOrNone: false, records }),
    );
    assert.equal(e.errorCode, 'EXCEEDED_ID_LIMIT');
    const empty = await failure(
      conn.request({ method: 'DELETE', url: '/services/data/v59.0/composite/sobjects?ids=' }),
    );
    assert.equal(empty.errorCode, 'REQUIRED_FIELD_MISSING');
    assert.equal(empty.message, 'At least 1 Id is required.');
  });

  it('chains composite subrequests by referenceId and answers 200 with each status', async () => {
    const res = (await conn.requestPost('/services/data/v59.0/composite', {
      allOrNone: false,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v59.0/sobjects/Account',
          referenceId: 'acct',
          body: { Name: 'Composite Co' },
        },
        {
          method: 'POST',
          url: '/services/data/v59.0/sobjects/Contact',
          referenceId: 'ct',
          body: { LastName: 'Chained', AccountId: '@{acct.id}' },
        },
        {
          method: 'GET',
          url: '/services/data/v59.0/query?q=SELECT+Id,Account.Name+FROM+Contact+WHERE+Id=%27@{ct.id}%27',
          referenceId: 'q',
        },
        {
          method: 'GET',
          url: '/services/data/v59.0/sobjects/Contact/@{q.records[0].Id}?fields=LastName',
          referenceId: 'again',
        },
      ],
    })) as {
      compositeResponse: {
        httpStatusCode: number;
        referenceId: string;
        body: ErrorData;
        httpHeaders: Record<string, string>;
      }[];
    };
    const [acct, ct, q, again] = res.compositeResponse;
    assert.equal(acct?.httpStatusCode, 201);
    assert.equal(
      acct?.httpHeaders['Location'],
      `/services/data/v59.0/sobjects/Account/${acct?.body.id}`,
    );
    assert.equal(ct?.httpStatusCode, 201);
    assert.equal(q?.body.records[0].Account.Name, 'Composite Co');
    assert.equal(again?.body.LastName, 'Chained');
  });

  it('rolls an allOrNone composite back and halts the other subrequests', async () => {
    const res = (await conn.requestPost('/services/data/v59.0/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: '/services/data/v59.0/sobjects/Account',
          referenceId: 'ok',
          body: { Name: 'Rolled back Co' },
        },
        {
          method: 'POST',
          url: '/services/data/v59.0/sobjects/Contact',
          referenceId: 'bad',
          body: { FirstName: 'NoLastName' },
        },
      ],
    })) as { compositeResponse: { httpStatusCode: number; body: { errorCode: string }[] }[] };
    assert.deepEqual(
      res.compositeResponse.map((r) => [r.httpStatusCode, r.body[0]?.errorCode]),
      [
        [400, 'PROCESSING_HALTED'],
        [400, 'REQUIRED_FIELD_MISSING'],
      ],
    );
    const count = await conn.query("SELECT COUNT() FROM Account WHERE Name = 'Rolled back Co'");
    assert.equal(count.totalSize, 0);
  });

  it('runs composite/batch subrequests independently', async () => {
    const res = (await conn.requestPost('/services/data/v59.0/composite/batch', {
      haltOnError: false,
      batchRequests: [
        { method: 'POST', url: 'v59.0/sobjects/Account', richInput: { Name: 'Batch Co' } },
        { method: 'GET', url: 'v59.0/sobjects/Account/001000000000000AAA' },
        { method: 'GET', url: 'v59.0/limits' },
      ],
    })) as { hasErrors: boolean; results: { statusCode: number }[] };
    assert.equal(res.hasErrors, true);
    assert.deepEqual(
      res.results.map((r) => r.statusCode),
      [201, 404, 200],
    );
  });

  it('reads and deletes by external ID, and answers the basic sObject resource', async () => {
    const id = idOf(
      await conn.sobject('Account').create({ Name: 'By ext', Intercom_Company_Id__c: 'co-1' }),
    );
    const record = (await conn.request(
      '/services/data/v59.0/sobjects/Account/Intercom_Company_Id__c/co-1?fields=Name',
    )) as Record<string, unknown>;
    assert.equal(record['Name'], 'By ext');
    const basic = (await conn.request('/services/data/v59.0/sobjects/Account')) as {
      objectDescribe: { keyPrefix: string };
    };
    assert.equal(basic.objectDescribe.keyPrefix, '001');
    await conn.request({
      method: 'DELETE',
      url: '/services/data/v59.0/sobjects/Account/Intercom_Company_Id__c/co-1',
    });
    const gone = await failure(conn.sobject('Account').retrieve(id));
    assert.equal(gone.errorCode, 'NOT_FOUND');
    const retrieved = (await conn.request(
      `/services/data/v59.0/composite/sobjects/Account?ids=${id},001000000000000AAA&fields=Name`,
    )) as unknown[];
    assert.deepEqual(retrieved, [null, null]);
  });

  it('updates and deletes through a Bulk 2.0 ingest job', async () => {
    const ids = (
      await conn.sobject('Contact').create([{ LastName: 'U1' }, { LastName: 'U2' }])
    ).map((r) => idOf(r));
    const updated = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact',
      operation: 'update',
      input: ids.map((Id, i) => ({ Id, Title: `T${i}` })),
      pollInterval: 20,
      pollTimeout: 10_000,
    });
    assert.equal(updated.successfulResults.length, 2);
    assert.equal((await conn.sobject('Contact').retrieve(ids[1] as string))['Title'], 'T1');
    const deleted = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact',
      operation: 'delete',
      input: ids.map((Id) => ({ Id })),
      pollInterval: 20,
      pollTimeout: 10_000,
    });
    assert.equal(deleted.successfulResults.length, 2);
    assert.equal(
      (await conn.query(`SELECT COUNT() FROM Contact WHERE Id IN ('${ids.join("','")}')`))
        .totalSize,
      0,
    );
  });

  it('counts every call in Sforce-Limit-Info and /limits, and refuses past the limit with 403', async () => {
    await conn.query('SELECT Id FROM User');
    const used = conn.limitInfo?.apiUsage?.used as number;
    assert.equal(conn.limitInfo?.apiUsage?.limit, 15000);
    const limits = await conn.limits();
    assert.equal(limits.DailyApiRequests?.Max, 15000);
    assert.equal(limits.DailyApiRequests?.Remaining, 15000 - used - 1);
    await h.control('limits', { max: 15000, used: 15000 });
    try {
      const e = await failure(conn.query('SELECT Id FROM User'));
      assert.equal(e.errorCode, 'REQUEST_LIMIT_EXCEEDED');
      assert.equal(e.message, 'TotalRequests Limit exceeded.');
    } finally {
      await h.control('limits', { used: 0 });
    }
  });
});
