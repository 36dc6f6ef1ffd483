import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  failure,
  idOf,
  startCustomisedHarness,
  startHarness,
  type Connection,
  type Harness,
} from './helpers.ts';

describe('single-record REST calls', () => {
  let h: Harness;
  let conn: Connection;
  before(async () => {
    h = await startCustomisedHarness();
    conn = await h.connect();
  });
  after(() => h.close());

  it('creates, retrieves, updates and deletes a record, stamping the system fields with the session user', async () => {
    const created = await conn
      .sobject('Lead')
      .create({ LastName: 'Lovelace', Company: 'Analytical', Email: 'ada@example.com' });
    assert.equal(created.success, true);
    assert.match(created.id, /^00Q[a-zA-Z0-9]{15}$/);
    const lead = await conn.sobject('Lead').retrieve(idOf(created));
    assert.equal(lead['attributes']?.url, `/services/data/v59.0/sobjects/Lead/${created.id}`);
    assert.equal(lead['Status'], 'Open - Not Contacted');
    assert.equal(lead['OwnerId'], conn.userInfo?.id);
    assert.equal(lead['CreatedById'], conn.userInfo?.id);
    assert.equal(lead['LastModifiedById'], conn.userInfo?.id);
    assert.equal(lead['IsConverted'], false);
    assert.equal(lead['Name'], 'Lovelace');
    assert.equal(lead['FirstName'], null);
    assert.match(String(lead['CreatedDate']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    const updated = await conn.sobject('Lead').update({ Id: created.id, FirstName: 'Ada' });
    assert.deepEqual(updated, { id: created.id, success: true, errors: [] });
    const after = await conn.sobject('Lead').retrieve(idOf(created));
    assert.equal(after['Name'], 'Ada Lovelace');
    // Salesforce keeps datetimes to the second, so an update in the same second keeps the stamp.
    assert.ok(String(after['SystemModstamp']) >= String(lead['SystemModstamp']));
    assert.match(String(after['SystemModstamp']), /\.000\+0000$/);
    const deleted = await conn.sobject('Lead').destroy(created.id);
    assert.deepEqual(deleted, { id: created.id, success: true, errors: [] });
    const gone = await failure(conn.sobject('Lead').retrieve(idOf(created)));
    assert.equal(gone.errorCode, 'NOT_FOUND');
  });

  it('accepts a 15-character id and retrieves only the fields asked for', async () => {
    const id = idOf(await conn.sobject('Account').create({ Name: 'Fifteen' }));
    const record = (await conn.request(
      `/services/data/v59.0/sobjects/Account/${id.slice(0, 15)}?fields=Name,Id`,
    )) as Record<string, unknown>;
    assert.deepEqual(Object.keys(record), ['attributes', 'Name', 'Id']);
    assert.equal(record['Id'], id);
  });

  it('answers REQUIRED_FIELD_MISSING naming every missing field', async () => {
    const e = await failure(conn.sobject('Lead').create({ FirstName: 'No' }));
    assert.equal(e.errorCode, 'REQUIRED_FIELD_MISSING');
    assert.equal(e.message, 'Required fields are missing: [LastName, Company]');
    assert.deepEqual(e.data.fields, ['LastName', 'Company']);
  });

  it('answers INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST for a value outside a restricted picklist', async () => {
    const e = await failure(
      conn.sobject('Lead').create({ LastName: 'P', Company: 'C', Lifecycle_Stage__c: 'Bogus' }),
    );
    assert.equal(e.errorCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    assert.equal(e.message, 'Lifecycle Stage: bad value for restricted picklist field: Bogus');
    assert.deepEqual(e.data.fields, ['Lifecycle_Stage__c']);
    const okay = await conn
      .sobject('Lead')
      .create({ LastName: 'P', Company: 'C', Lifecycle_Stage__c: 'MQL' });
    assert.equal(okay.success, true);
  });

  it('scopes picklist values and defaults by record type (Case)', async () => {
    const types = await conn.query<{ Id: string; DeveloperName: string }>(
      "SELECT Id, DeveloperName FROM RecordType WHERE SobjectType = 'Case' ORDER BY DeveloperName",
    );
    assert.deepEqual(
      types.records.map((r) => r.DeveloperName),
      ['Billing', 'Support'],
    );
    const billing = types.records[0]?.Id as string;
    const support = types.records[1]?.Id as string;
    const byDefault = await conn
      .sobject('Case')
      .create({ Subject: 'Default type', Type: 'Question' });
    const record = await conn.sobject('Case').retrieve(idOf(byDefault));
    assert.equal(record['RecordTypeId'], support);
    assert.equal(record['Status'], 'New');
    assert.match(String(record['CaseNumber']), /^\d{8}$/);
    const e = await failure(
      conn
        .sobject('Case')
        .create({ Subject: 'Wrong type', RecordTypeId: billing, Type: 'Question' }),
    );
    assert.equal(e.errorCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const billed = await conn
      .sobject('Case')
      .retrieve(
        idOf(
          await conn
            .sobject('Case')
            .create({ Subject: 'Invoice', RecordTypeId: billing, Type: 'Refund' }),
        ),
      );
    assert.equal(billed['Priority'], 'High');
  });

  it('answers STRING_TOO_LONG with the label, value and maximum length', async () => {
    const long = 'x'.repeat(81);
    const e = await failure(conn.sobject('Contact').create({ LastName: long }));
    assert.equal(e.errorCode, 'STRING_TOO_LONG');
    assert.equal(e.message, `Last Name: data value too large: ${long} (max length=80)`);
    assert.deepEqual(e.data.fields, ['LastName']);
  });

  it('answers INVALID_EMAIL_ADDRESS for a malformed email', async () => {
    const e = await failure(
      conn.sobject('Contact').create({ LastName: 'E', Email: 'not-an-email' }),
    );
    assert.equal(e.errorCode, 'INVALID_EMAIL_ADDRESS');
    assert.equal(e.message, 'Email: invalid email address: not-an-email');
    assert.deepEqual(e.data.fields, ['Email']);
  });

  it('answers JSON_PARSER_ERROR for a value of the wrong type', async () => {
    const e = await failure(
      conn.sobject('Account').create({ Name: 'T', NumberOfEmployees: 'many' }),
    );
    assert.equal(e.errorCode, 'JSON_PARSER_ERROR');
    assert.match(e.message, /Cannot deserialize instance of int from VALUE_STRING value many/);
    const d = await failure(
      conn.sobject('Contact').create({ LastName: 'D', Birthdate: '31/01/2026' }),
    );
    assert.equal(d.errorCode, 'JSON_PARSER_ERROR');
  });

  it('answers INVALID_FIELD_FOR_INSERT_UPDATE for read-only and formula fields', async () => {
    const e = await failure(
      conn.sobject('Contact').create({ LastName: 'R', Display_Name__c: 'x', Name: 'y' }),
    );
    assert.equal(e.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
    assert.match(e.message, /^Unable to create\/update fields: Display_Name__c, Name\./);
    assert.deepEqual(e.data.fields, ['Display_Name__c', 'Name']);
    const id = idOf(await conn.sobject('Lead').create({ LastName: 'L', Company: 'C' }));
    const u = await failure(conn.sobject('Lead').update({ Id: id, IsConverted: true }));
    assert.equal(u.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('answers INVALID_FIELD for an unknown field', async () => {
    const e = await failure(
      conn.sobject('Lead').create({ LastName: 'U', Company: 'C', Nope__c: 1 }),
    );
    assert.equal(e.errorCode, 'INVALID_FIELD');
    assert.equal(e.message, "No such column 'Nope__c' on sobject of type Lead");
  });

  it('answers DUPLICATE_VALUE for a unique or external-ID field already in use', async () => {
    const first = await conn
      .sobject('Contact')
      .create({ LastName: 'One', Customer_Number__c: 'CN-DUP-1' });
    const e = await failure(
      conn.sobject('Contact').create({ LastName: 'Two', Customer_Number__c: 'cn-dup-1' }),
    );
    assert.equal(e.errorCode, 'DUPLICATE_VALUE');
    assert.equal(
      e.message,
      `duplicate value found: Customer_Number__c duplicates value on record with id: ${idOf(first).slice(0, 15)}`,
    );
  });

  it('answers MALFORMED_ID, FIELD_INTEGRITY_EXCEPTION and INVALID_CROSS_REFERENCE_KEY for bad references', async () => {
    const malformed = await failure(
      conn.sobject('Contact').create({ LastName: 'M', AccountId: 'garbage' }),
    );
    assert.equal(malformed.errorCode, 'MALFORMED_ID');
    assert.equal(malformed.message, 'Account ID: id value of incorrect type: garbage');
    assert.deepEqual(malformed.data.fields, ['AccountId']);
    const lead = await conn.sobject('Lead').create({ LastName: 'X', Company: 'Y' });
    const wrongObject = await failure(
      conn.sobject('Contact').create({ LastName: 'W', AccountId: lead.id }),
    );
    assert.equal(wrongObject.errorCode, 'FIELD_INTEGRITY_EXCEPTION');
    assert.equal(wrongObject.message, `Account ID: id value of incorrect type: ${idOf(lead)}`);
    const account = await conn.sobject('Account').create({ Name: 'Soon gone' });
    await conn.sobject('Account').destroy(idOf(account));
    const missing = await failure(
      conn.sobject('Contact').create({ LastName: 'N', AccountId: account.id }),
    );
    assert.equal(missing.errorCode, 'INVALID_CROSS_REFERENCE_KEY');
    assert.equal(missing.message, 'invalid cross reference id');
    const owner = await failure(
      conn.sobject('Lead').create({ LastName: 'O', Company: 'C', OwnerId: '0055g000000ZZZZ' }),
    );
    assert.equal(owner.errorCode, 'INVALID_CROSS_REFERENCE_KEY');
  });

  it('answers CANNOT_UPDATE_CONVERTED_LEAD once a lead is converted', async () => {
    const id = idOf(
      await conn.sobject('Lead').create({
        FirstName: 'Con',
        LastName: 'Verted',
        Company: 'Conv Inc',
        Email: 'conv@example.com',
      }),
    );
    const converted = await h.control(`leads/${id}/convert`, {});
    assert.equal(converted.status, 200);
    const e = await failure(conn.sobject('Lead').update({ Id: id, Title: 'CEO' }));
    assert.equal(e.errorCode, 'CANNOT_UPDATE_CONVERTED_LEAD');
    assert.equal(e.message, 'cannot reference converted lead');
  });

  it('answers ENTITY_IS_DELETED for a deleted record, which queryAll still shows with IsDeleted', async () => {
    const id = idOf(await conn.sobject('Contact').create({ LastName: 'Deleted' }));
    await conn.sobject('Contact').destroy(id);
    const e = await failure(conn.sobject('Contact').update({ Id: id, LastName: 'Again' }));
    assert.equal(e.errorCode, 'ENTITY_IS_DELETED');
    const d = await failure(conn.sobject('Contact').destroy(id));
    assert.equal(d.errorCode, 'ENTITY_IS_DELETED');
    const live = await conn.query(`SELECT Id FROM Contact WHERE Id = '${id}'`);
    assert.equal(live.totalSize, 0);
    const all = await conn
      .query(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${id}'`)
      .scanAll(true);
    assert.deepEqual(
      all.records.map((r) => r['IsDeleted']),
      [true],
    );
  });

  it('answers DUPLICATES_DETECTED when a duplicate rule is on, and saves with allowSave', async () => {
    await conn.sobject('Lead').create({ LastName: 'Dup', Company: 'C', Email: 'twin@example.com' });
    const enabled = await h.control('duplicate-rules/Standard_Lead_Duplicate_Rule', {
      active: true,
    });
    assert.equal(enabled.body.active, true);
    try {
      const e = await failure(
        conn.sobject('Lead').create({ LastName: 'Dup2', Company: 'C', Email: 'TWIN@example.com' }),
      );
      assert.equal(e.errorCode, 'DUPLICATES_DETECTED');
      assert.equal(e.message, 'Use one of these records?');
      assert.equal(e.data.duplicateResult.duplicateRule, 'Standard_Lead_Duplicate_Rule');
      assert.equal(e.data.duplicateResult.allowSave, true);
      assert.equal(e.data.duplicateResult.matchResults[0].matchRecords.length, 1);
      const saved = await conn
        .sobject('Lead')
        .create(
          { LastName: 'Dup2', Company: 'C', Email: 'twin@example.com' },
          { headers: { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' } },
        );
      assert.equal(saved.success, true);
    } finally {
      await h.control('duplicate-rules/Standard_Lead_Duplicate_Rule', { active: false });
    }
  });

  it('upserts by external ID: 201 created, 200 updated, 300 when several match', async () => {
    const created = await conn
      .sobject('Contact')
      .upsert({ LastName: 'Ext', Intercom_Id__c: 'ic-1' }, 'Intercom_Id__c');
    assert.deepEqual(
      { ...created, id: undefined },
      { id: undefined, success: true, errors: [], created: true },
    );
    const updated = await conn
      .sobject('Contact')
      .upsert({ LastName: 'Ext2', Intercom_Id__c: 'ic-1' }, 'Intercom_Id__c');
    assert.equal(updated.id, idOf(created));
    assert.equal((updated as { created?: boolean }).created, false);
    assert.equal((await conn.sobject('Contact').retrieve(idOf(created)))['LastName'], 'Ext2');
    await conn.sobject('Lead').create({ LastName: 'A', Company: 'C', Email: 'many@example.com' });
    await conn.sobject('Lead').create({ LastName: 'B', Company: 'C', Email: 'many@example.com' });
    const e = await failure(
      conn
        .sobject('Lead')
        .upsert({ LastName: 'C', Company: 'C', Email: 'many@example.com' }, 'Email'),
    );
    assert.equal(e.errorCode, 'MULTIPLE_CHOICES');
    assert.equal(e.data.length, 2);
    assert.match(e.data[0], /^\/services\/data\/v59\.0\/sobjects\/Lead\/00Q/);
    const unknown = await failure(
      conn.sobject('Lead').upsert({ LastName: 'Z', Company: 'C', Nope: 'x' }, 'Nope'),
    );
    assert.equal(unknown.errorCode, 'NOT_FOUND');
    assert.equal(
      unknown.message,
      'Provided external ID field does not exist or is not accessible: Nope',
    );
  });

  it('answers getUpdated and getDeleted for a window', async () => {
    const start = new Date(Date.now() - 60_000);
    const id = idOf(
      await conn
        .sobject('Opportunity')
        .create({ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2026-12-31' }),
    );
    const gone = await conn
      .sobject('Opportunity')
      .create({ Name: 'Gone', StageName: 'Prospecting', CloseDate: '2026-12-31' });
    await conn.sobject('Opportunity').destroy(idOf(gone));
    const end = new Date(Date.now() + 120_000);
    const updated = await conn
      .sobject('Opportunity')
      .updated(start.toISOString(), end.toISOString());
    assert.ok(updated.ids.includes(id));
    assert.ok(!updated.ids.includes(idOf(gone)));
    assert.match(updated.latestDateCovered, /\+0000$/);
    const deleted = await conn
      .sobject('Opportunity')
      .deleted(start.toISOString(), end.toISOString());
    assert.deepEqual(
      deleted.deletedRecords.map((r) => r.id),
      [gone.id],
    );
    const e = await failure(
      conn.sobject('Opportunity').updated(end.toISOString(), start.toISOString()),
    );
    assert.equal(e.errorCode, 'INVALID_REPLICATION_DATE');
  });

  it('derives Opportunity probability and closed flags from the stage', async () => {
    const id = idOf(
      await conn
        .sobject('Opportunity')
        .create({ Name: 'Won', StageName: 'Closed Won', CloseDate: '2026-06-30', Amount: 1200 }),
    );
    const opp = await conn.sobject('Opportunity').retrieve(id);
    assert.equal(opp['IsWon'], true);
    assert.equal(opp['IsClosed'], true);
    assert.equal(opp['Probability'], 100);
  });

  it('answers 404 for unknown objects and 405 for wrong methods, with JSON error bodies', async () => {
    const auth = { authorization: `Bearer ${conn.accessToken}` };
    const unknown = await fetch(`${h.url}/services/data/v59.0/sobjects/Nope/001`, {
      headers: auth,
    });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('content-type'), 'application/json;charset=UTF-8');
    const wrong = await fetch(`${h.url}/services/data/v59.0/sobjects/Lead`, {
      method: 'PUT',
      headers: auth,
    });
    assert.equal(wrong.status, 405);
    assert.deepEqual(await wrong.json(), [
      {
        message: "HTTP Method 'PUT' not allowed. Allowed are HEAD,GET,POST",
        errorCode: 'METHOD_NOT_ALLOWED',
      },
    ]);
    const malformed = await fetch(`${h.url}/services/data/v59.0/sobjects/Lead`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"LastName": x}',
    });
    assert.equal(malformed.status, 400);
    const body = (await malformed.json()) as { errorCode: string; message: string }[];
    assert.equal(body[0]?.errorCode, 'JSON_PARSER_ERROR');
    assert.match(body[0]?.message ?? '', /^Unexpected character \('x' \(code 120\)\)/);
  });
});

describe('the updated window after a burst of writes', () => {
  it('covers records whose stamps ran past the minute the clock is in', async () => {
    // The clock stands still one millisecond before a minute ends: each write of the burst is
    // stamped a millisecond after the last, so most land in the next minute.
    const frozen = Date.UTC(2026, 10, 21, 14, 0, 59, 999);
    const h = await startHarness({ seed: 'empty', now: () => frozen });
    try {
      const conn = await h.connect();
      const created = await conn
        .sobject('Contact')
        .create(Array.from({ length: 5 }, (_, i) => ({ LastName: `Burst ${i}` })));
      const ids = created.map((result) => idOf(result));
      const updated = await conn
        .sobject('Contact')
        .updated(
          new Date(frozen - 120_000).toISOString(),
          new Date(frozen + 600_000).toISOString(),
        );
      for (const id of ids) assert.ok(updated.ids.includes(id), `${id} is covered`);
    } finally {
      await h.close();
    }
  });
});
