import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordedDescribe } from '../schema/registry.ts';
import { rewriteUrls } from '../schema/sobject.ts';
import { startCustomisedHarness, type Connection, type Harness } from './helpers.ts';

describe('describe', () => {
  let h: Harness;
  let conn: Connection;
  before(async () => {
    h = await startCustomisedHarness();
    conn = await h.connect();
  });
  after(() => h.close());

  for (const name of ['Lead', 'Contact', 'Account', 'Case', 'Opportunity']) {
    it(`answers the recorded ${name} describe, plus the seeded custom fields and record types`, async () => {
      const recorded = JSON.parse(
        rewriteUrls(JSON.stringify(recordedDescribe(name)), '59.0', h.url),
      ) as Record<string, unknown>;
      const served = (await conn.request(
        `/services/data/v59.0/sobjects/${name}/describe`,
      )) as Record<string, unknown>;
      const recordedFields = recorded['fields'] as { name: string }[];
      const servedFields = served['fields'] as { name: string; custom: boolean }[];
      // Every recorded field, unchanged and in order; the additions are the seeded ones.
      const servedByName = new Map(servedFields.map((f) => [f.name, f]));
      for (const field of recordedFields)
        assert.deepEqual(servedByName.get(field.name), field, `${name}.${field.name}`);
      const added = servedFields
        .filter((f) => !recordedFields.some((r) => r.name === f.name))
        .map((f) => f.name);
      const expectedAdded: Record<string, string[]> = {
        Lead: [
          'Intercom_Id__c',
          'Customer_Number__c',
          'utm_source__c',
          'utm_medium__c',
          'utm_campaign__c',
          'utm_term__c',
          'utm_content__c',
          'Lifecycle_Stage__c',
        ],
        Contact: ['Intercom_Id__c', 'Customer_Number__c', 'Display_Name__c'],
        Account: ['Intercom_Company_Id__c'],
        Case: ['RecordTypeId'],
        Opportunity: [],
      };
      assert.deepEqual(added, expectedAdded[name]);
      const { fields: _a, recordTypeInfos: rtServed, ...restServed } = served;
      const { fields: _b, recordTypeInfos: rtRecorded, ...restRecorded } = recorded;
      assert.deepEqual(restServed, restRecorded);
      if (name !== 'Case') assert.deepEqual(rtServed, rtRecorded);
      else
        assert.deepEqual(
          (rtServed as { developerName: string }[]).map((r) => r.developerName),
          ['Support', 'Billing', 'Master'],
        );
    });
  }

  it('describes seeded custom fields like Salesforce does (external ID, unique, restricted picklist, formula)', async () => {
    const lead = await conn.sobject('Lead').describe();
    const intercomId = lead.fields.find((f) => f.name === 'Intercom_Id__c');
    assert.equal(intercomId?.custom, true);
    assert.equal(intercomId?.externalId, true);
    assert.equal(intercomId?.idLookup, true);
    assert.equal(intercomId?.unique, true);
    assert.equal(intercomId?.length, 255);
    assert.equal(Object.keys(intercomId ?? {}).length, Object.keys(lead.fields[0] ?? {}).length);
    const stage = lead.fields.find((f) => f.name === 'Lifecycle_Stage__c');
    assert.equal(stage?.restrictedPicklist, true);
    assert.deepEqual(
      stage?.picklistValues?.map((v) => v.value),
      ['Subscriber', 'Lead', 'MQL', 'SQL', 'Customer'],
    );
    const contact = await conn.sobject('Contact').describe();
    const formula = contact.fields.find((f) => f.name === 'Display_Name__c');
    assert.equal(formula?.calculated, true);
    assert.equal(formula?.createable, false);
    assert.equal(formula?.updateable, false);
  });

  it('completes the trimmed Task, User and RecordType describes with the documented properties', async () => {
    for (const [name, prefix, required] of [
      ['Task', '00T', []],
      [
        'User',
        '005',
        [
          'Username',
          'LastName',
          'Email',
          'Alias',
          'TimeZoneSidKey',
          'LocaleSidKey',
          'EmailEncodingKey',
          'ProfileId',
          'LanguageLocaleKey',
        ],
      ],
      ['RecordType', '012', ['Name', 'DeveloperName', 'SobjectType']],
    ] as const) {
      const d = await conn.sobject(name).describe();
      assert.equal(d.keyPrefix, prefix);
      for (const field of d.fields) {
        for (const key of [
          'createable',
          'updateable',
          'length',
          'byteLength',
          'soapType',
          'nillable',
          'defaultedOnCreate',
          'unique',
          'externalId',
          'calculated',
        ]) {
          assert.ok(key in field, `${name}.${field.name} lacks ${key}`);
        }
      }
      const req = d.fields
        .filter((f) => f.createable && !f.nillable && !f.defaultedOnCreate)
        .map((f) => f.name);
      assert.deepEqual(req, [...required]);
    }
    const task = await conn.sobject('Task').describe();
    const status = task.fields.find((f) => f.name === 'Status');
    assert.equal(status?.defaultValue, 'Not Started');
    assert.equal(task.fields.find((f) => f.name === 'IsClosed')?.updateable, false);
  });

  it('lists the emulated objects in describeGlobal with their key prefixes', async () => {
    const global = await conn.describeGlobal();
    const prefixes = Object.fromEntries(global.sobjects.map((s) => [s.name, s.keyPrefix]));
    assert.deepEqual(prefixes, {
      Account: '001',
      Case: '500',
      Contact: '003',
      Lead: '00Q',
      Opportunity: '006',
      RecordType: '012',
      Task: '00T',
      User: '005',
    });
    assert.equal(global.maxBatchSize, 200);
  });

  it('answers 404 NOT_FOUND for the describe of an unknown object', async () => {
    const res = await fetch(`${h.url}/services/data/v59.0/sobjects/Nope__c/describe`, {
      headers: { authorization: `Bearer ${conn.accessToken}` },
    });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), [
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
    ]);
  });

  it('serves the API version asked for in describe URLs and lists versions 42.0 to 64.0', async () => {
    const d = (await conn.request('/services/data/v62.0/sobjects/Lead/describe')) as {
      urls: Record<string, string>;
    };
    assert.equal(d.urls['sobject'], '/services/data/v62.0/sobjects/Lead');
    const versions = (await (await fetch(`${h.url}/services/data`)).json()) as {
      version: string;
    }[];
    assert.equal(versions[0]?.version, '42.0');
    assert.equal(versions.at(-1)?.version, '64.0');
    const tooOld = await fetch(`${h.url}/services/data/v41.0/sobjects`, {
      headers: { authorization: `Bearer ${conn.accessToken}` },
    });
    assert.equal(tooOld.status, 404);
  });
});
