import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeSalesforceEmulator } from '../index.ts';
import {
  failure,
  idOf,
  startCustomisedHarness,
  startHarness,
  type Connection,
  type Harness,
} from './helpers.ts';

describe('control plane', () => {
  let h: Harness;
  let conn: Connection;
  before(async () => {
    h = await startCustomisedHarness();
    conn = await h.connect();
  });
  after(() => h.close());

  it('converts a lead, creating the Contact and Account and marking the Lead', async () => {
    const lead = idOf(
      await conn.sobject('Lead').create({
        FirstName: 'Grace',
        LastName: 'Hopper',
        Company: 'Navy',
        Email: 'grace@navy.mil',
      }),
    );
    const res = await h.control(`leads/${lead}/convert`, { createOpportunity: true });
    assert.equal(res.status, 200);
    const converted = await conn.sobject('Lead').retrieve(lead);
    assert.equal(converted['IsConverted'], true);
    assert.equal(converted['ConvertedContactId'], res.body.contactId);
    assert.equal(converted['ConvertedAccountId'], res.body.accountId);
    assert.equal(converted['ConvertedOpportunityId'], res.body.opportunityId);
    assert.match(String(converted['ConvertedDate']), /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(converted['Status'], 'Closed - Converted');
    const contact = await conn.sobject('Contact').retrieve(String(res.body.contactId));
    assert.deepEqual(
      [contact['Email'], contact['AccountId']],
      ['grace@navy.mil', res.body.accountId],
    );
    assert.equal(
      (await conn.sobject('Account').retrieve(String(res.body.accountId)))['Name'],
      'Navy',
    );
    const again = await h.control(`leads/${lead}/convert`, {});
    assert.equal(again.status, 400);
    assert.equal(again.body.error.code, 'CANNOT_UPDATE_CONVERTED_LEAD');
  });

  it('converts a lead onto an existing Contact and Account', async () => {
    const account = idOf(await conn.sobject('Account').create({ Name: 'Existing' }));
    const contact = idOf(
      await conn.sobject('Contact').create({ LastName: 'Known', AccountId: account }),
    );
    const lead = idOf(
      await conn.sobject('Lead').create({ LastName: 'Known', Company: 'Existing' }),
    );
    const res = await h.control(`leads/${lead}/convert`, {
      accountId: account,
      contactId: contact,
    });
    assert.deepEqual([res.body.accountId, res.body.contactId], [account, contact]);
  });

  it('merges records: children re-parented, losers deleted with MasterRecordId', async () => {
    const master = idOf(await conn.sobject('Account').create({ Name: 'Master' }));
    const loser = idOf(await conn.sobject('Account').create({ Name: 'Loser' }));
    const child = idOf(
      await conn.sobject('Contact').create({ LastName: 'Child', AccountId: loser }),
    );
    const res = await h.control('merge', {
      object: 'Account',
      masterId: master,
      mergeIds: [loser],
    });
    assert.equal(res.status, 200);
    assert.equal((await conn.sobject('Contact').retrieve(child))['AccountId'], master);
    const deleted = await conn
      .query(`SELECT Id, IsDeleted, MasterRecordId FROM Account WHERE Id = '${loser}'`)
      .scanAll(true);
    assert.deepEqual(
      deleted.records.map((r) => [r['IsDeleted'], r['MasterRecordId']]),
      [[true, master]],
    );
    const gone = await failure(conn.sobject('Account').retrieve(loser));
    assert.equal(gone.errorCode, 'NOT_FOUND');
  });

  it('undeletes a record from the recycle bin', async () => {
    const id = idOf(await conn.sobject('Contact').create({ LastName: 'Lazarus' }));
    await conn.sobject('Contact').destroy(id);
    const res = await h.control(`undelete/${id}`, {});
    assert.equal(res.status, 200);
    assert.equal((await conn.sobject('Contact').retrieve(id))['LastName'], 'Lazarus');
    const again = await h.control(`undelete/${id}`, {});
    assert.equal(again.status, 400);
  });

  it('injects faults by method and path, for a number of times', async () => {
    const fault = await h.control('faults', {
      method: 'POST',
      path: '/services/data/*/sobjects/Account',
      status: 503,
      errorCode: 'SERVER_UNAVAILABLE',
      message: 'down for maintenance',
      times: 1,
    });
    assert.equal(fault.status, 201);
    const e = await failure(conn.sobject('Account').create({ Name: 'Faulty' }));
    assert.equal(e.errorCode, 'SERVER_UNAVAILABLE');
    assert.equal(e.message, 'down for maintenance');
    assert.equal((await conn.sobject('Account').create({ Name: 'Fine' })).success, true);
    await h.control('faults', undefined, 'DELETE');
    await h.control('faults', {
      path: '^/services/data/v[0-9.]+/query$',
      status: 500,
      probability: 0,
    });
    assert.equal((await conn.query('SELECT Id FROM User')).totalSize, 1);
    await h.control('faults', {
      method: 'POST',
      path: '*/sobjects/Contact',
      latencyMs: 150,
      times: 1,
    });
    const started = Date.now();
    await conn.sobject('Contact').create({ LastName: 'Slow' });
    assert.ok(Date.now() - started >= 140);
    await h.control('faults', undefined, 'DELETE');
  });

  it('adds latency to API calls when asked', async () => {
    await h.control('latency', { ms: 120 });
    const started = Date.now();
    await conn.query('SELECT Id FROM User');
    const elapsed = Date.now() - started;
    await h.control('latency', { ms: 0 });
    assert.ok(elapsed >= 110, `took ${elapsed} ms`);
  });

  it('dumps the records of an object and reports stats by endpoint', async () => {
    const dump = await h.control('records/User');
    assert.equal(dump.body.totalSize, 1);
    assert.equal(dump.body.records[0].Username, 'admin@tandem.test');
    const stats = await h.control('stats');
    assert.ok(stats.body.calls['POST /services/data/vXX.X/sobjects/Lead'] >= 1);
    assert.ok(stats.body.calls['GET /services/data/vXX.X/sobjects/Lead/{id}'] >= 1);
    assert.equal(stats.body.records.User, 1);
    assert.ok(stats.body.apiUsage.used > 0);
  });

  it('seeds records with references, and resets to the start seed', async () => {
    const seeded = await h.control('seed', {
      records: {
        Account: [{ '@ref': 'acme', Name: 'Seeded Acme' }],
        Contact: [{ LastName: 'Seeded', AccountId: '@acme' }],
      },
    });
    assert.equal(seeded.status, 200);
    const q = await conn.query<{ Account: { Name: string } }>(
      "SELECT Account.Name FROM Contact WHERE LastName = 'Seeded'",
    );
    assert.equal(q.records[0]?.Account.Name, 'Seeded Acme');
    const bad = await h.control('seed', { records: { Contact: [{ FirstName: 'No last name' }] } });
    assert.equal(bad.status, 400);
    await h.control('reset', {});
    const after = await conn.query('SELECT COUNT() FROM Contact');
    assert.equal(after.totalSize, 0);
  });

  it('prints the base URL and the credentials for the CLI', () => {
    const lines = describeSalesforceEmulator(h.emulator);
    assert.ok(lines.some((l) => l.includes(h.url)));
    for (const secret of [
      'tandem-dev-client',
      'tandem-dev-secret',
      'admin@tandem.test',
      'tandem-dev-password',
    ]) {
      assert.ok(
        lines.some((l) => l.includes(secret)),
        secret,
      );
    }
  });
});

describe('seeds and state file', () => {
  it('builds the same demo org twice, shaped as the issue asks', async () => {
    const counts = async (): Promise<Record<string, unknown>> => {
      const h = await startHarness({ seed: 'demo' });
      try {
        const conn = await h.connect();
        const n = async (soql: string) => (await conn.query(soql)).totalSize;
        const sharedEmail = await conn.query<{ Email: string }>(
          'SELECT Email FROM Contact ORDER BY Email LIMIT 2000',
        );
        const contactEmails = new Set(sharedEmail.records.map((r) => r.Email));
        const leads = await conn
          .query<{ Email: string }>('SELECT Email FROM Lead')
          .run({ autoFetch: true, maxFetch: 5000 });
        const leadEmails = leads.records.map((r) => r.Email);
        const first = await conn.query<{ Id: string; Email: string; Customer_Number__c: string }>(
          'SELECT Id, Email, Customer_Number__c FROM Contact ORDER BY Customer_Number__c NULLS LAST LIMIT 1',
        );
        return {
          users: await n('SELECT COUNT() FROM User'),
          accounts: await n('SELECT COUNT() FROM Account'),
          contacts: await n('SELECT COUNT() FROM Contact'),
          leads: await n('SELECT COUNT() FROM Lead'),
          converted: await n('SELECT COUNT() FROM Lead WHERE IsConverted = true'),
          opportunities: await n(
            'SELECT COUNT() FROM Opportunity WHERE StageName != null AND Amount > 0',
          ),
          casesByType: [
            await n("SELECT COUNT() FROM Case WHERE RecordType.DeveloperName = 'Support'"),
            await n("SELECT COUNT() FROM Case WHERE RecordType.DeveloperName = 'Billing'"),
          ],
          tasks: await n('SELECT COUNT() FROM Task'),
          leadsSharingWithContacts: leadEmails.filter((e) => contactEmails.has(e)).length,
          leadsSharingEachOther: leadEmails.length - new Set(leadEmails).size,
          firstCustomerNumber: first.records[0]?.Customer_Number__c,
          firstContactId: first.records[0]?.Id,
        };
      } finally {
        await h.close();
      }
    };
    const a = await counts();
    const b = await counts();
    assert.deepEqual(a, b);
    assert.equal(a['users'], 10);
    assert.equal(a['accounts'], 300);
    assert.equal(a['contacts'], 1000);
    assert.equal(a['leads'], 1000);
    assert.equal(a['converted'], 50);
    assert.equal(a['opportunities'], 400);
    assert.deepEqual(a['casesByType'], [150, 150]);
    assert.equal(a['tasks'], 500);
    assert.equal(a['leadsSharingWithContacts'], 100);
    assert.equal(a['leadsSharingEachOther'], 20);
    assert.equal(a['firstCustomerNumber'], 'CN-000001');
  });

  it('keeps its data across a restart with a state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-emulator-'));
    const stateFile = join(dir, 'state.json');
    try {
      const first = await startCustomisedHarness({ stateFile });
      const conn = await first.connect();
      const id = idOf(
        await conn
          .sobject('Lead')
          .create({ LastName: 'Persistent', Company: 'Disk', Intercom_Id__c: 'ic-state' }),
      );
      await conn
        .sobject('Lead')
        .destroy(idOf(await conn.sobject('Lead').create({ LastName: 'Deleted', Company: 'Disk' })));
      await first.close();
      const second = await startHarness({ stateFile, seed: 'demo' });
      try {
        const conn2 = await second.connect();
        const lead = await conn2.sobject('Lead').retrieve(id);
        assert.equal(lead['Intercom_Id__c'], 'ic-state');
        assert.equal((await conn2.query('SELECT COUNT() FROM Lead')).totalSize, 1);
        assert.equal(
          (await conn2.query('SELECT Id FROM Lead WHERE IsDeleted = true').scanAll(true)).totalSize,
          1,
        );
        const next = idOf(
          await conn2.sobject('Lead').create({ LastName: 'After', Company: 'Restart' }),
        );
        assert.notEqual(next, id);
        const describe = await conn2.sobject('Case').describe();
        assert.deepEqual(
          (describe.recordTypeInfos as unknown as { developerName: string }[]).map(
            (r) => r.developerName,
          ),
          ['Support', 'Billing', 'Master'],
        );
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts from a seed file with custom fields and records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-seed-'));
    const file = join(dir, 'seed.json');
    writeFileSync(
      file,
      JSON.stringify({
        customFields: [
          {
            object: 'Lead',
            name: 'Region__c',
            type: 'picklist',
            values: ['EMEA', 'AMER'],
            restricted: true,
          },
        ],
        records: { Lead: [{ LastName: 'FromFile', Company: 'F', Region__c: 'EMEA' }] },
      }),
    );
    const h = await startHarness({ seed: file });
    try {
      const conn = await h.connect();
      const q = await conn.query<{ Region__c: string }>('SELECT Region__c FROM Lead');
      assert.deepEqual(
        q.records.map((r) => r.Region__c),
        ['EMEA'],
      );
    } finally {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
