import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { unwrap } from '../../src/connectors/index.ts';
import { job, startSyncWorld, type SyncWorld } from './support.ts';

describe('people sync: links follow the records', () => {
  let w: SyncWorld;
  const newLead = async (email: string) => {
    const [saved] = await w.salesforceUser.create('Lead', [
      { LastName: email.split('@')[0], Company: 'Elsewhere', Email: email },
    ]);
    return unwrap(saved!).id;
  };
  const linkedPair = async (email: string) => {
    const contact = unwrap(await w.intercom.createContact({ role: 'lead', email }));
    await w.runIntercom(contact.id);
    const link = await w.store.links.findByIntercomId(contact.id);
    assert.ok(link, `${email} is linked`);
    return { contactId: contact.id, leadId: link.salesforceId };
  };

  before(async () => {
    w = await startSyncWorld();
    await w.setSettings({ matching: { mode: 'email' }, externalIdField: 'Intercom_Id__c' });
  });
  after(() => w.close());

  it('creates a Lead by upsert on the external-ID field, holding the Intercom id', async () => {
    const upsertsBefore = await upserts(w);
    const { contactId, leadId } = await linkedPair('upsert.me@example.test');
    const lead = (await w.records('Lead')).find((l) => l['Id'] === leadId);
    assert.equal(lead?.['Intercom_Id__c'], contactId);
    assert.equal((await upserts(w)) - upsertsBefore, 1);
  });

  it('moves a link to another Lead with the new email when the Intercom email changes', async () => {
    const { contactId, leadId } = await linkedPair('old.address@example.test');
    const other = await newLead('new.address@example.test');
    unwrap(await w.intercom.updateContact(contactId, { email: 'new.address@example.test' }));
    await w.runIntercom(contactId);

    const link = await w.store.links.findByIntercomId(contactId);
    assert.equal(link?.salesforceId, other);
    assert.notEqual(other, leadId);
    const moved = (await w.events('link.moved')).at(-1);
    assert.equal(moved?.data['reason'], 'email_changed_remapped_lead');
  });

  it('moves a link to the master record of a Salesforce merge', async () => {
    const { contactId, leadId } = await linkedPair('merged.away@example.test');
    const master = await newLead('survivor@example.test');
    const merged = await w.sf.control('merge', {
      object: 'Lead',
      masterId: master,
      mergeIds: [leadId],
    });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    await w.runSalesforce('Lead', leadId);

    assert.equal((await w.store.links.findByIntercomId(contactId))?.salesforceId, master);
    const moved = (await w.events('link.moved')).at(-1);
    assert.equal(moved?.data['reason'], 'salesforce_merged');
  });

  it('drops the link when the Intercom contact is deleted, and keeps the Salesforce Lead', async () => {
    const { contactId, leadId } = await linkedPair('leaving@example.test');
    unwrap(await w.intercom.deleteContact(contactId));
    await w.runIntercom(contactId);

    assert.equal(await w.store.links.findByIntercomId(contactId), undefined);
    assert.ok((await w.records('Lead')).some((l) => l['Id'] === leadId));
    const dropped = (await w.events('link.dropped')).at(-1);
    assert.equal(dropped?.data['reason'], 'intercom_deleted');
  });

  it('keeps the link of an Intercom lead that signs up as a user, and creates no second Lead', async () => {
    const { contactId, leadId } = await linkedPair('signs.up@example.test');
    const leadsBefore = (await w.records('Lead')).length;
    const signedUp = await fetch(`${w.ic.url}/__emulator/contacts/${contactId}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ external_id: 'U-1' }),
    });
    assert.equal(signedUp.status, 200);
    await w.runIntercom(contactId);

    assert.equal((await w.store.links.findByIntercomId(contactId))?.salesforceId, leadId);
    assert.equal((await w.records('Lead')).length, leadsBefore);
  });

  it('deletes the Salesforce Lead too when deleteOtherSide says so', async () => {
    const { contactId, leadId } = await linkedPair('delete.both@example.test');
    const current = await w.store.settings.get('sync');
    await w.setSettings({
      ...(current?.value as object),
      deleteOtherSide: 'to_salesforce',
    });
    try {
      unwrap(await w.intercom.deleteContact(contactId));
      await w.runIntercom(contactId);
    } finally {
      await w.setSettings({ ...(current?.value as object) });
    }
    assert.equal(await w.store.links.findByIntercomId(contactId), undefined);
    assert.ok(!(await w.records('Lead')).some((l) => l['Id'] === leadId));
    const dropped = (await w.events('link.dropped')).at(-1);
    assert.deepEqual(dropped?.data['deleteOnOtherSide'], { system: 'salesforce', id: leadId });
  });

  it('moves the link of an Intercom lead merged into a user onto the user', async () => {
    const { contactId: leadContact, leadId } = await linkedPair('merged.lead@example.test');
    const user = unwrap(await w.intercom.createContact({ role: 'user', external_id: 'U-77' }));
    // The contact.merged webhook, stored as the intake stores it (keyed by the survivor).
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push(body);
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    const control = (path: string, body: unknown) =>
      fetch(`${w.ic.url}/__emulator${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      await control('/webhooks', { url: `http://127.0.0.1:${port}/`, topics: ['contact.merged'] });
      const merged = await fetch(`${w.ic.url}/contacts/merge`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${w.ic.credentials.accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({ from: leadContact, into: user.id }),
      });
      assert.equal(merged.status, 200);
      await control('/webhooks/flush', {});
    } finally {
      receiver.close();
    }
    assert.equal(received.length, 1);
    const { event } = await w.store.inbox.add({
      source: 'intercom',
      topic: 'contact.merged',
      eventId: 'merge-1',
      recordKey: `intercom:contact:${user.id}`,
      body: received[0]!,
    });
    await w.sync.tasks['sync.intercom.contact'](
      { recordKey: `intercom:contact:${user.id}`, inboxId: event.id },
      job('sync.intercom.contact'),
    );

    assert.equal((await w.store.links.findByIntercomId(user.id))?.salesforceId, leadId);
    assert.equal(await w.store.links.findByIntercomId(leadContact), undefined);
    const moved = (await w.events('link.moved')).at(-1);
    assert.equal(moved?.data['reason'], 'intercom_contact_merged');
  });

  it('matches a Salesforce change to the Intercom contact with its email, and creates no Intercom person', async () => {
    const contact = unwrap(
      await w.intercom.createContact({ role: 'user', email: 'from.crm@example.test' }),
    );
    const leadId = await newLead('from.crm@example.test');
    await w.runSalesforce('Lead', leadId);
    assert.equal((await w.store.links.findBySalesforceId(leadId))?.intercomId, contact.id);

    const orphan = await newLead('nobody.in.intercom@example.test');
    const contactsBefore = (await (await fetch(`${w.ic.url}/__emulator/contacts`)).json()) as {
      total_count: number;
    };
    await w.runSalesforce('Lead', orphan);
    const contactsAfter = (await (await fetch(`${w.ic.url}/__emulator/contacts`)).json()) as {
      total_count: number;
    };
    assert.equal(contactsAfter.total_count, contactsBefore.total_count);
    const skipped = (await w.events('sync.skipped')).at(-1);
    assert.equal(skipped?.data['reason'], 'no_counterpart');
  });

  it('creates a missing Intercom custom attribute before writing to it, when the setting allows it', async () => {
    const current = await w.store.settings.get('sync');
    const { contactId, leadId } = await linkedPair('status.owner@example.test');
    await w.setSettings({
      ...(current?.value as object),
      createMissingIntercomAttributes: true,
      mappings: {
        Lead: [
          {
            intercom: 'custom_attributes.lead_status',
            salesforce: 'Status',
            direction: 'to_intercom',
          },
        ],
      },
    });
    try {
      await w.runSalesforce('Lead', leadId);
    } finally {
      await w.setSettings({ ...(current?.value as object) });
    }
    const attributes = unwrap(await w.intercom.listDataAttributes('contact'));
    assert.ok(attributes.some((a) => a.name === 'lead_status' && a.data_type === 'string'));
    const lead = (await w.records('Lead')).find((l) => l['Id'] === leadId);
    const contact = unwrap(await w.intercom.findContact(contactId));
    assert.ok(typeof lead?.['Status'] === 'string' && lead['Status'] !== '');
    assert.equal(contact.custom_attributes['lead_status'], lead?.['Status']);
    assert.equal((await w.events('attribute.created')).at(-1)?.data['name'], 'lead_status');
  });

  it('drops every link once the identifier setting changes, and matching starts again', async () => {
    const { contactId } = await linkedPair('before.the.change@example.test');
    const current = await w.store.settings.get('sync');
    await w.setSettings({
      ...(current?.value as object),
      matching: { mode: 'identifier', identifierField: 'Customer_Number__c' },
    });
    await w.runIntercom(contactId);

    const [reset] = await w.events('links.reset');
    assert.equal(reset?.data['reason'], 'identifier_setting_changed');
    assert.ok((reset?.data['dropped'] as number) > 1);
    assert.equal((await w.store.links.list()).length, 1, 'only the run that followed re-matched');
    assert.equal(
      (await w.store.links.findByIntercomId(contactId))?.salesforceType,
      'Lead',
      're-matched by the email fallback to its Lead',
    );
  });
});

async function upserts(w: SyncWorld): Promise<number> {
  return Object.entries(await w.salesforceCalls())
    .filter(([endpoint]) => endpoint.startsWith('PATCH') && endpoint.includes('Intercom_Id__c'))
    .reduce((sum, [, n]) => sum + n, 0);
}
