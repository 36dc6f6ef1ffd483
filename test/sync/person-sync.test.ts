import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unwrap } from '../../src/connectors/index.ts';
import { job, startSyncWorld, type SyncWorld } from './support.ts';

describe('people sync: Intercom to Salesforce', () => {
  let w: SyncWorld;
  let firstContactId = '';
  before(async () => {
    w = await startSyncWorld();
    await w.setSettings({
      matching: { mode: 'identifier', identifierField: 'Customer_Number__c' },
      mappings: {
        Lead: [
          { intercom: 'custom_attributes.plan', salesforce: 'Plan__c', direction: 'to_salesforce' },
        ],
        Contact: [
          { intercom: 'custom_attributes.plan', salesforce: 'Plan__c', direction: 'to_salesforce' },
        ],
      },
    });
  });
  after(() => w.close());

  it('turns a new Intercom lead into a Salesforce Lead with mapped fields and required-field fallbacks', async () => {
    const contact = unwrap(
      await w.intercom.createContact({
        role: 'lead',
        email: 'ada.new@example.test',
        custom_attributes: { plan: 'pro' },
      }),
    );
    firstContactId = contact.id;
    await w.runIntercom(contact.id);

    const leads = (await w.records('Lead')).filter((l) => l['Email'] === 'ada.new@example.test');
    assert.equal(leads.length, 1);
    const lead = leads[0]!;
    assert.equal(lead['LastName'], 'ada.new');
    assert.equal(lead['Company'], '[not provided]');
    assert.equal(lead['Plan__c'], 'pro');
    const link = await w.store.links.findByIntercomId(contact.id);
    assert.equal(link?.salesforceId, lead['Id']);
    assert.equal(link?.salesforceType, 'Lead');
    const [created] = await w.events('lead.created');
    assert.deepEqual(
      (created?.data['fallbacks'] as { field: string; source: string }[])
        .map((f) => f.field)
        .sort(),
      ['Company', 'LastName'],
    );
  });

  it('takes LastName from the name and Company from the Intercom company when there are some', async () => {
    const company = (await (
      await fetch(`${w.ic.url}/companies`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${w.ic.credentials.accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({ company_id: 'acme-1', name: 'Acme Ltd' }),
      })
    ).json()) as { id: string };
    const contact = unwrap(
      await w.intercom.createContact({
        role: 'lead',
        email: 'grace@acme.test',
        name: 'Grace Hopper',
      }),
    );
    const attached = await fetch(`${w.ic.url}/contacts/${contact.id}/companies`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${w.ic.credentials.accessToken}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ id: company.id }),
    });
    assert.equal(attached.status, 200);
    await w.runIntercom(contact.id);

    const lead = (await w.records('Lead')).find((l) => l['Email'] === 'grace@acme.test');
    assert.equal(lead?.['LastName'], 'Grace Hopper');
    assert.equal(lead?.['Company'], 'Acme Ltd');
  });

  it('links a user with a matching identifier to the existing Contact and creates nothing', async () => {
    const [saved] = await w.salesforceUser.create('Contact', [
      { LastName: 'Known', Email: 'known@corp.test', Customer_Number__c: 'CN-42', Plan__c: 'pro' },
    ]);
    const contactId = unwrap(saved!).id;
    const leadsBefore = (await w.records('Lead')).length;
    const contactsBefore = (await w.records('Contact')).length;
    const user = unwrap(
      await w.intercom.createContact({
        role: 'user',
        external_id: 'CN-42',
        email: 'someone.else@corp.test',
        custom_attributes: { plan: 'pro' },
      }),
    );
    await w.runIntercom(user.id);

    const link = await w.store.links.findByIntercomId(user.id);
    assert.equal(link?.salesforceId, contactId);
    assert.equal(link?.salesforceType, 'Contact');
    assert.equal((await w.records('Lead')).length, leadsBefore);
    assert.equal((await w.records('Contact')).length, contactsBefore);
    const linked = (await w.events('link.created')).find((e) => e.data['intercomId'] === user.id);
    assert.equal(linked?.data['reason'], 'identifier');
  });

  it('links to one of two Leads with the same email and records the other as a duplicate candidate', async () => {
    const created = await w.salesforceUser.create('Lead', [
      { LastName: 'Twin', Company: 'A', Email: 'twin@example.test' },
      { LastName: 'Twin', Company: 'B', Email: 'twin@example.test' },
    ]);
    const ids = created.map((r) => unwrap(r).id);
    const contact = unwrap(
      await w.intercom.createContact({ role: 'lead', email: 'twin@example.test' }),
    );
    await w.runIntercom(contact.id);

    const link = await w.store.links.findByIntercomId(contact.id);
    assert.ok(link && ids.includes(link.salesforceId));
    const duplicate = (await w.events('duplicate.candidate')).at(-1);
    assert.deepEqual(
      duplicate?.data['passedOver'],
      ids.filter((id) => id !== link.salesforceId),
    );
    assert.equal(
      (await w.records('Lead')).filter((l) => l['Email'] === 'twin@example.test').length,
      2,
    );
  });

  it('parks a record Salesforce refuses in the needs-attention list with its errorCode, and other records keep flowing', async () => {
    const refused = unwrap(
      await w.intercom.createContact({
        role: 'lead',
        email: 'too.long@example.test',
        custom_attributes: { plan: 'enterprise-unlimited' },
      }),
    );
    await assert.rejects(w.runIntercom(refused.id), { name: 'NonRetriableError' });
    const [failure] = await w.store.failures.listOpen({
      recordKey: `intercom:contact:${refused.id}`,
    });
    assert.equal(failure?.category, 'validation');
    assert.equal(failure?.errorCode, 'STRING_TOO_LONG');
    assert.equal(failure?.system, 'salesforce');
    assert.deepEqual(failure?.payload, { recordKey: `intercom:contact:${refused.id}` });
    const failed = (await w.events('sync.failed')).find((e) => e.data['intercomId'] === refused.id);
    assert.equal(failed?.data['errorCode'], 'STRING_TOO_LONG');

    const fine = unwrap(
      await w.intercom.createContact({ role: 'lead', email: 'fine@example.test' }),
    );
    await w.runIntercom(fine.id);
    assert.ok((await w.records('Lead')).some((l) => l['Email'] === 'fine@example.test'));

    // Once the cause is fixed, the same record goes through and leaves the list.
    unwrap(await w.intercom.updateContact(refused.id, { custom_attributes: { plan: 'team' } }));
    await w.runIntercom(refused.id);
    assert.ok((await w.records('Lead')).some((l) => l['Email'] === 'too.long@example.test'));
    assert.deepEqual(
      await w.store.failures.listOpen({ recordKey: `intercom:contact:${refused.id}` }),
      [],
    );
  });

  it('refreshes an expired Salesforce session without losing the change', async () => {
    unwrap(await w.intercom.updateContact(firstContactId, { custom_attributes: { plan: 'team' } }));
    const logins = async () =>
      Object.entries(await w.salesforceCalls())
        .filter(([endpoint]) => endpoint.includes('/oauth2/token'))
        .reduce((sum, [, n]) => sum + n, 0);
    const loginsBefore = await logins();
    const expired = await w.sf.control('expire-tokens', {});
    assert.equal(expired.status, 200);
    await w.runIntercom(firstContactId);
    assert.ok((await logins()) > loginsBefore, 'the connector logged in again');
    const lead = (await w.records('Lead')).find((l) => l['Email'] === 'ada.new@example.test');
    assert.equal(lead?.['Plan__c'], 'team');
  });

  it('waits as long as Intercom asks when it is rate limited', async () => {
    await w.intercomFault({
      method: 'GET',
      path: `/contacts/${firstContactId}`,
      status: 429,
      times: 1,
    });
    await assert.rejects(w.runIntercom(firstContactId), (error: Error & { delayMs?: number }) => {
      assert.equal(error.name, 'RetryAfterError');
      assert.ok((error.delayMs ?? 0) > 0);
      return true;
    });
    await w.runIntercom(firstContactId);
  });

  it('marks Intercom "needs reconnect" when it refuses the token, and lets the change wait', async () => {
    await w.intercomFault({
      method: 'GET',
      path: `/contacts/${firstContactId}`,
      status: 401,
      times: 1,
    });
    await assert.rejects(w.runIntercom(firstContactId), (error: Error & { delayMs?: number }) => {
      assert.equal(error.name, 'RetryAfterError');
      assert.ok((error.delayMs ?? 0) >= 60_000);
      return true;
    });
    assert.equal(w.reconnects.at(-1)?.system, 'intercom');
    assert.deepEqual(
      await w.store.failures.listOpen({ recordKey: `intercom:contact:${firstContactId}` }),
      [],
      'a paused connection is not a failed record',
    );
  });

  it('skips with reason not_connected and succeeds while a system is not connected', async () => {
    const connected = w.connections;
    w.connections = { ok: false, reason: 'not_connected', detail: 'not connected' };
    try {
      await w.runIntercom(firstContactId);
    } finally {
      w.connections = connected;
    }
    const skipped = await w.events('sync.skipped');
    assert.equal(skipped.at(-1)?.data['reason'], 'not_connected');
  });

  it('marks the record’s stored webhooks processed once it is synced', async () => {
    const recordKey = `intercom:contact:${firstContactId}`;
    const { event } = await w.store.inbox.add({
      source: 'intercom',
      topic: 'contact.lead.updated',
      eventId: 'notif-1',
      recordKey,
      body: '{}',
    });
    await w.sync.tasks['sync.intercom.contact'](
      { recordKey, inboxId: event.id },
      job('sync.intercom.contact'),
    );
    assert.notEqual((await w.store.inbox.get(event.id))?.processedAt, null);
  });
});
