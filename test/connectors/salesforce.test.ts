import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  completeSalesforceAuthorization,
  createSalesforceConnector,
  startSalesforceAuthorization,
  type SalesforceConnector,
} from '../../src/connectors/salesforce/index.ts';
import type { ConnectorError, Result } from '../../src/connectors/result.ts';
import { startSalesforceHarness, tokenLog, type SalesforceHarness } from './salesforce-harness.ts';

function failure<T>(result: Result<T>): ConnectorError {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as { ok: false; error: ConnectorError }).error;
}

function value<T>(result: Result<T> | undefined): T {
  assert.ok(result, 'expected a result');
  if (!result.ok) assert.fail(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('Salesforce connector', () => {
  let h: SalesforceHarness;
  let sf: SalesforceConnector;
  const tokens = tokenLog();

  before(async () => {
    h = await startSalesforceHarness();
    sf = h.connector({ onTokenRefreshed: tokens.onTokenRefreshed });
  });
  after(async () => {
    await h.close();
  });

  it('logs in with the username-password flow and announces the tokens it got', async () => {
    const identity = value(await sf.connect());
    assert.match(identity.userId, /^005/);
    assert.match(identity.organizationId, /^00D/);
    assert.equal(identity.instanceUrl, h.url);
    await new Promise((r) => setImmediate(r));
    assert.equal(tokens.seen.length, 1);
    assert.equal(tokens.seen[0]?.accessToken, sf.tokens()?.accessToken);
  });

  it('describes an object once and answers later calls from its cache', async () => {
    const before = await h.calls('GET /services/data/vXX.X/sobjects/Lead/describe');
    const first = value(await sf.describe('Lead'));
    const second = value(await sf.describe('Lead'));
    assert.equal(second, first);
    assert.ok(first.fields.some((f) => f.name === 'Intercom_Id__c' && f.externalId));
    assert.equal(await h.calls('GET /services/data/vXX.X/sobjects/Lead/describe'), before + 1);
    value(await sf.describe('Lead', { refresh: true }));
    assert.equal(await h.calls('GET /services/data/vXX.X/sobjects/Lead/describe'), before + 2);
  });

  it('streams a query past 2,000 rows page by page through queryMore', async () => {
    const records = Array.from({ length: 2_345 }, (_, i) => ({
      LastName: `Bulk ${i}`,
      Company: 'Paged Inc',
    }));
    assert.equal((await h.control('seed', { records: { Lead: records } })).status, 200);
    const sizes: number[] = [];
    const ids = new Set<string>();
    for await (const page of sf.query("SELECT Id FROM Lead WHERE Company = 'Paged Inc'")) {
      const p = value(page);
      sizes.push(p.records.length);
      for (const r of p.records) ids.add(String(r.Id));
      assert.equal(p.totalSize, 2_345);
    }
    assert.deepEqual(sizes, [2_000, 345]);
    assert.equal(ids.size, 2_345);
  });

  it('asks for smaller pages with a batch size and can stop early without reading the rest', async () => {
    const before = await h.calls('GET /services/data/vXX.X/query/{locator}');
    let pages = 0;
    for await (const page of sf.query("SELECT Id FROM Lead WHERE Company = 'Paged Inc'", {
      batchSize: 500,
    })) {
      assert.equal(value(page).records.length, 500);
      if (++pages === 2) break;
    }
    assert.equal(await h.calls('GET /services/data/vXX.X/query/{locator}'), before + 1);
  });

  it('creates through sObject Collections with one result per record, failures beside successes', async () => {
    const results = await sf.create('Lead', [
      { LastName: 'Ok One', Company: 'Collections', Email: 'one@collections.test' },
      { Company: 'Collections', Email: 'nolastname@collections.test' },
      { LastName: 'Ok Two', Company: 'Collections', Email: 'two@collections.test' },
    ]);
    assert.equal(results.length, 3);
    assert.match(value(results[0]).id, /^00Q/);
    const missing = failure(results[1] as Result<unknown>);
    assert.equal(missing.code, 'validation');
    assert.ok(missing.code === 'validation');
    assert.equal(missing.errorCode, 'REQUIRED_FIELD_MISSING');
    assert.deepEqual(missing.fields, ['LastName']);
    assert.match(value(results[2]).id, /^00Q/);
  });

  it('splits more than 200 records into calls of at most 200', async () => {
    const endpoint = 'POST /services/data/vXX.X/composite/sobjects';
    const before = await h.calls(endpoint);
    const results = await sf.create(
      'Contact',
      Array.from({ length: 450 }, (_, i) => ({ LastName: `Chunk ${i}` })),
    );
    assert.equal(results.length, 450);
    assert.ok(results.every((r) => r.ok));
    assert.equal(await h.calls(endpoint), before + 3);
  });

  it('fails every record of a chunk the server refused as a whole, and the chunks after it', async () => {
    await h.control('faults', {
      method: 'POST',
      path: '/services/data/*/composite/sobjects',
      status: 503,
      errorCode: 'SERVER_UNAVAILABLE',
      times: 1,
    });
    const results = await sf.create(
      'Contact',
      Array.from({ length: 250 }, (_, i) => ({ LastName: `Refused ${i}` })),
    );
    assert.equal(results.length, 250);
    assert.ok(results.every((r) => !r.ok && r.error.code === 'upstream'));
  });

  it('updates by Id and reads the record back', async () => {
    const [created] = await sf.create('Lead', [
      { LastName: 'Before', Company: 'Upd', Email: 'upd@example.test' },
    ]);
    const id = value(created).id;
    const [updated] = await sf.update('Lead', [{ Id: id, LastName: 'After', Title: 'CTO' }]);
    assert.equal(value(updated).id, id);
    const record = value(await sf.retrieve('Lead', id, ['LastName', 'Title']));
    assert.equal(record['LastName'], 'After');
    assert.equal(record['Title'], 'CTO');
  });

  it('upserts by external ID: created first, updated the second time, never a duplicate', async () => {
    const first = value(
      await sf.upsertByExternalId('Contact', 'Intercom_Id__c', 'ic+1/2?x', {
        LastName: 'Upserted',
        Email: 'upsert@example.test',
      }),
    );
    assert.equal(first.created, true);
    const second = value(
      await sf.upsertByExternalId('Contact', 'Intercom_Id__c', 'ic+1/2?x', { Title: 'VP' }),
    );
    assert.deepEqual(second, { id: first.id, created: false });
    const found = value(
      await sf.findByIdentifier('Contact', 'Intercom_Id__c', 'ic+1/2?x', ['Id', 'Title']),
    );
    assert.equal(found.length, 1);
    assert.equal(found[0]?.['Title'], 'VP');
  });

  it('upserts a collection with a created flag per record', async () => {
    const results = await sf.upsert('Lead', 'Customer_Number__c', [
      { Customer_Number__c: 'CN-UP-1', LastName: 'A', Company: 'X' },
      { Customer_Number__c: 'CN-UP-2', LastName: 'B', Company: 'X' },
    ]);
    assert.deepEqual(
      results.map((r) => value(r).created),
      [true, true],
    );
    const again = await sf.upsert('Lead', 'Customer_Number__c', [
      { Customer_Number__c: 'CN-UP-1', Title: 'again' },
    ]);
    assert.equal(value(again[0]).created, false);
  });

  it('finds Leads and Contacts by email with quotes escaped, so a value cannot change the query', async () => {
    await sf.create('Lead', [{ LastName: "O'Brien", Company: 'Q', Email: "o'brien@example.test" }]);
    const found = value(await sf.findByEmail('Lead', "O'Brien@example.test", ['Id', 'LastName']));
    assert.deepEqual(
      found.map((r) => r['LastName']),
      ["O'Brien"],
    );
    const injected = value(await sf.findByEmail('Lead', "x' OR LastName != 'y", ['Id']));
    assert.deepEqual(injected, []);
  });

  it('finds by an identifier field and can leave converted Leads out', async () => {
    const [lead] = await sf.create('Lead', [
      { LastName: 'Convert', Company: 'Conv', Customer_Number__c: 'CN-CONV-1' },
    ]);
    const id = value(lead).id;
    assert.equal((await h.control(`leads/${id}/convert`, {})).status, 200);
    const all = value(
      await sf.findByIdentifier('Lead', 'Customer_Number__c', 'CN-CONV-1', ['Id', 'IsConverted']),
    );
    assert.equal(all.length, 1);
    const open = value(
      await sf.findByIdentifier('Lead', 'Customer_Number__c', 'CN-CONV-1', ['Id'], {
        excludeConvertedLeads: true,
      }),
    );
    assert.deepEqual(open, []);
  });

  it('lists the ids updated and deleted in a window', async () => {
    const start = new Date(Date.now() - 5 * 60_000);
    const [a, b] = await sf.create('Contact', [{ LastName: 'Window A' }, { LastName: 'Window B' }]);
    const idA = value(a).id;
    const idB = value(b).id;
    value((await sf.destroy('Contact', [idB]))[0]);
    const end = new Date(Date.now() + 2 * 60_000);
    const updated = value(await sf.updatedSince('Contact', start, end));
    assert.ok(updated.ids.includes(idA));
    assert.ok(!updated.ids.includes(idB));
    assert.match(updated.latestDateCovered, /^\d{4}-\d\d-\d\dT/);
    const deleted = value(await sf.deletedSince('Contact', start, end));
    assert.deepEqual(
      deleted.deleted.map((d) => d.id),
      [idB],
    );
    const soql = `SELECT Id, IsDeleted FROM Contact WHERE Id = '${idB}'`;
    const live = [];
    for await (const page of sf.query(soql)) live.push(...value(page).records);
    assert.deepEqual(live, []);
    const withDeleted = [];
    for await (const page of sf.query(soql, { includeDeleted: true }))
      withDeleted.push(...value(page).records);
    assert.equal(withDeleted[0]?.['IsDeleted'], true);
  });

  it('reads /limits and keeps the usage of the last Sforce-Limit-Info header', async () => {
    await h.control('limits', { used: 100, max: 1_000 });
    const limits = value(await sf.limits());
    assert.equal(limits['DailyApiRequests']?.Max, 1_000);
    value(
      await sf.retrieve(
        'Lead',
        value((await sf.create('Lead', [{ LastName: 'U', Company: 'U' }]))[0]).id,
      ),
    );
    const usage = sf.usage();
    assert.ok(usage);
    assert.equal(usage.max, 1_000);
    assert.ok(usage.used > 100 && usage.used < 110, `used ${usage.used}`);
    assert.equal(usage.remaining, usage.max - usage.used);
    await h.control('limits', { used: 0, max: 15_000 });
  });

  describe('maps every failure to one code of the closed union', () => {
    const cases: {
      readonly name: string;
      readonly fault: Record<string, unknown>;
      readonly code: ConnectorError['code'];
    }[] = [
      {
        name: 'HTTP 429',
        fault: { status: 429, errorCode: 'REQUEST_LIMIT_EXCEEDED' },
        code: 'rate_limited',
      },
      { name: 'NOT_FOUND', fault: { status: 404, errorCode: 'NOT_FOUND' }, code: 'not_found' },
      {
        name: 'INSUFFICIENT_ACCESS_OR_READONLY',
        fault: { status: 403, errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' },
        code: 'permission',
      },
      {
        name: 'API_DISABLED_FOR_ORG',
        fault: {
          status: 403,
          errorCode: 'API_DISABLED_FOR_ORG',
          message: 'The REST API is not enabled for this Organization.',
        },
        code: 'permission',
      },
      {
        name: 'REQUEST_LIMIT_EXCEEDED',
        fault: { status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED' },
        code: 'limit_exceeded',
      },
      {
        name: 'UNABLE_TO_LOCK_ROW',
        fault: { status: 400, errorCode: 'UNABLE_TO_LOCK_ROW' },
        code: 'conflict',
      },
      {
        name: 'HTTP 503',
        fault: { status: 503, errorCode: 'SERVER_UNAVAILABLE' },
        code: 'upstream',
      },
      {
        name: 'HTTP 500 with an unknown code',
        fault: { status: 500, errorCode: 'SOMETHING_NEW' },
        code: 'upstream',
      },
      {
        name: 'HTTP 400 with a field error',
        fault: { status: 400, errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
        code: 'validation',
      },
    ];
    for (const c of cases) {
      it(`answers ${c.code} for ${c.name}`, async () => {
        await h.control('faults', {
          method: 'GET',
          path: '/services/data/*/limits',
          times: 1,
          ...c.fault,
        });
        const error = failure(await sf.limits());
        assert.equal(error.code, c.code);
        assert.equal(error.system, 'salesforce');
        assert.equal(error.status, c.fault['status']);
        assert.equal(error.upstreamCode, c.fault['errorCode']);
        if (error.code === 'rate_limited') assert.equal(error.retryAfterMs, 60_000);
        if (error.code === 'validation') assert.equal(error.errorCode, c.fault['errorCode']);
        if (c.fault['errorCode'] === 'API_DISABLED_FOR_ORG')
          assert.match(error.message, /does not allow API access.*REST API is not enabled/);
      });
    }

    it('answers validation with the errorCode and fields of a real refusal', async () => {
      const error = failure(
        await sf.upsertByExternalId('Lead', 'Intercom_Id__c', 'ic-too-long', {
          LastName: 'x'.repeat(81),
          Company: 'Long',
        }),
      );
      assert.ok(error.code === 'validation');
      assert.equal(error.errorCode, 'STRING_TOO_LONG');
      assert.deepEqual(error.fields, ['LastName']);
    });

    it('answers duplicate with the existing id for a unique field already used', async () => {
      const [first] = await sf.create('Contact', [
        { LastName: 'Dup', Customer_Number__c: 'CN-DUP' },
      ]);
      const id = value(first).id;
      const [second] = await sf.create('Contact', [
        { LastName: 'Dup2', Customer_Number__c: 'CN-DUP' },
      ]);
      const error = failure(second as Result<unknown>);
      assert.ok(error.code === 'duplicate');
      assert.equal(error.upstreamCode, 'DUPLICATE_VALUE');
      assert.ok(
        error.existingIds.some((existing) => id.startsWith(existing)),
        `${JSON.stringify(error.existingIds)} names ${id}`,
      );
    });

    it('answers duplicate with the matching records when a duplicate rule blocks a Lead', async () => {
      const rule = { object: 'Lead', name: 'Block_Lead_Email', fields: ['Email'], action: 'block' };
      await h.control('seed', { duplicateRules: [{ ...rule, active: false }] });
      const [first] = await sf.create('Lead', [
        { LastName: 'Rule', Company: 'D', Email: 'rule@dup.test' },
      ]);
      const id = value(first).id;
      await h.control(`duplicate-rules/${rule.name}`, { active: true });
      try {
        const [second] = await sf.create('Lead', [
          { LastName: 'Rule Again', Company: 'D', Email: 'rule@dup.test' },
        ]);
        const error = failure(second as Result<unknown>);
        assert.ok(error.code === 'duplicate');
        assert.equal(error.upstreamCode, 'DUPLICATES_DETECTED');
        assert.deepEqual(error.existingIds, [id]);
      } finally {
        await h.control(`duplicate-rules/${rule.name}`, { active: false });
      }
    });

    it('answers limit_exceeded once the daily API allocation is spent', async () => {
      await h.control('limits', { used: 500, max: 500 });
      try {
        const error = failure(await sf.retrieve('Lead', '00Q000000000000AAA'));
        assert.equal(error.code, 'limit_exceeded');
        assert.equal(error.status, 403);
        assert.equal(error.upstreamCode, 'REQUEST_LIMIT_EXCEEDED');
      } finally {
        await h.control('limits', { used: 0, max: 15_000 });
      }
    });

    it('answers not_found for a record that does not exist', async () => {
      const error = failure(await sf.retrieve('Lead', '00Q000000000000AAA'));
      assert.equal(error.code, 'not_found');
      assert.equal(error.status, 404);
    });

    it('answers upstream when nothing listens at the address', async () => {
      const port = await freePort();
      const down = createSalesforceConnector({
        loginUrl: `http://127.0.0.1:${port}`,
        instanceUrl: `http://127.0.0.1:${port}`,
        accessToken: 'token',
        clientId: 'c',
        clientSecret: 's',
        apiVersion: '59.0',
        callOptionsClient: 'tandem',
        maxRetries: 0,
      });
      const error = failure(await down.limits());
      assert.equal(error.code, 'upstream');
    });

    it('throws, rather than answering, for a bug such as an invalid field name', async () => {
      await assert.rejects(
        sf.findByEmail('Lead', 'a@b.test', ["Id FROM Lead WHERE Name != ''"]),
        /not a Salesforce API name/,
      );
    });
  });

  describe('sessions', () => {
    it('refreshes an expired session by itself, replays the call and announces the new token', async () => {
      const grant = await h.refreshToken();
      const log = tokenLog();
      const connector = h.connector({
        instanceUrl: grant.instanceUrl,
        accessToken: grant.accessToken,
        refreshToken: grant.refreshToken,
        onTokenRefreshed: log.onTokenRefreshed,
      });
      value(await connector.limits());
      await h.control('expire-tokens', {});
      const [created] = await connector.create('Lead', [
        { LastName: 'After Expiry', Company: 'R' },
      ]);
      value(created);
      await new Promise((r) => setImmediate(r));
      assert.equal(log.seen.length, 1);
      assert.notEqual(log.seen[0]?.accessToken, grant.accessToken);
      assert.equal(log.seen[0]?.refreshToken, grant.refreshToken);
      assert.equal(log.seen[0]?.instanceUrl, h.url);
    });

    it('connects with stored tokens alone and reads who they belong to', async () => {
      const grant = await h.refreshToken();
      const c = h.emulator.credentials;
      const connector = createSalesforceConnector({
        loginUrl: h.url,
        instanceUrl: grant.instanceUrl,
        accessToken: grant.accessToken,
        refreshToken: grant.refreshToken,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        apiVersion: c.apiVersion,
        callOptionsClient: 'tandem',
      });
      const identity = value(await connector.connect());
      assert.match(identity.userId, /^005/);
      assert.equal(connector.tokens()?.refreshToken, grant.refreshToken);
    });

    it('answers auth_failed marked "needs reconnect" once the refresh token is revoked', async () => {
      const grant = await h.refreshToken();
      const connector = h.connector({
        instanceUrl: grant.instanceUrl,
        accessToken: grant.accessToken,
        refreshToken: grant.refreshToken,
      });
      const revoked = await fetch(`${h.url}/services/oauth2/revoke`, {
        method: 'POST',
        body: new URLSearchParams({ token: grant.refreshToken }),
      });
      assert.equal(revoked.status, 200);
      await h.control('expire-tokens', {});
      const error = failure(await connector.limits());
      assert.ok(error.code === 'auth_failed');
      assert.equal(error.needsReconnect, true);
      assert.match(error.message, /refresh/);
    });

    it('answers auth_failed for a wrong password', async () => {
      const connector = h.connector({ password: 'wrong' });
      const error = failure(await connector.connect());
      assert.ok(error.code === 'auth_failed');
      assert.equal(error.upstreamCode, 'invalid_grant');
    });
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe('Salesforce web-server OAuth flow', () => {
  let h: SalesforceHarness;
  before(async () => {
    h = await startSalesforceHarness();
  });
  after(async () => {
    await h.close();
  });

  const app = () => ({
    loginUrl: h.url,
    clientId: h.emulator.credentials.clientId,
    clientSecret: h.emulator.credentials.clientSecret,
    redirectUri: 'http://localhost:7777/callback',
  });

  /** Plays the person clicking "Allow" on the consent page the URL shows. */
  async function approve(url: string): Promise<string> {
    const page = new URL(url);
    const form = new URLSearchParams(page.searchParams);
    form.set('action', 'approve');
    const res = await fetch(`${h.url}/services/oauth2/authorize`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('state'), 'st-1');
    return location.searchParams.get('code') ?? '';
  }

  it('builds a consent URL with PKCE and exchanges the code for tokens a connector can use', async () => {
    const start = startSalesforceAuthorization(app(), { state: 'st-1' });
    const url = new URL(start.url);
    assert.equal(url.origin + url.pathname, `${h.url}/services/oauth2/authorize`);
    assert.ok(url.searchParams.get('code_challenge'));
    const code = await approve(start.url);
    const tokens = value(await completeSalesforceAuthorization(app(), code, start.codeVerifier));
    assert.match(tokens.userId, /^005/);
    assert.ok(tokens.refreshToken);
    const sf = createSalesforceConnector({
      ...app(),
      instanceUrl: tokens.instanceUrl,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      apiVersion: h.emulator.credentials.apiVersion,
      callOptionsClient: 'tandem',
    });
    assert.equal(value(await sf.connect()).userId, tokens.userId);
  });

  it('answers auth_failed for a code exchanged with the wrong PKCE verifier', async () => {
    const start = startSalesforceAuthorization(app(), { state: 'st-1' });
    const code = await approve(start.url);
    const wrong = failure(await completeSalesforceAuthorization(app(), code, 'x'.repeat(64)));
    assert.ok(wrong.code === 'auth_failed');
    assert.equal(wrong.upstreamCode, 'invalid_grant');
  });
});
