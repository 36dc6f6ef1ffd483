import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNoSchemaFailures, failure, loose, startHarness, type Harness } from './harness.ts';

describe('companies, tags and data attributes through the unchanged SDK', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.client.dataAttributes.create(
      loose({ name: 'tier', model: 'company', data_type: 'string' }),
    );
  });
  after(async () => {
    await h.close();
    assertNoSchemaFailures();
  });

  it('creates a company by company_id, then updates the same one on a second POST', async () => {
    const created = await h.client.companies.createOrUpdate({
      company_id: 'ACC-1',
      name: 'Acme',
      custom_attributes: { tier: 'gold' },
    });
    const again = await h.client.companies.createOrUpdate({
      company_id: 'ACC-1',
      industry: 'Rockets',
    });
    assert.equal(again.id, created.id);
    assert.equal(again.name, 'Acme');
    assert.equal(again.industry, 'Rockets');
    assert.deepEqual(again.custom_attributes, { tier: 'gold' });
  });

  it('refuses an unknown parameter and an unknown custom attribute with 400', async () => {
    const bad = await h.api('POST', '/companies', { company_id: 'ACC-x', test: 1 });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors, [{ code: 'bad_request', message: "bad 'test' parameter" }]);
    const unknown = await failure(
      h.client.companies.createOrUpdate({ company_id: 'ACC-y', custom_attributes: { nope: 'x' } }),
    );
    assert.equal(unknown.statusCode, 400);
  });

  it('finds a company by id, retrieves it by company_id and by name, and answers 404 company_not_found', async () => {
    const company = await h.client.companies.createOrUpdate({
      company_id: 'ACC-2',
      name: 'Beta Corp',
    });
    assert.equal((await h.client.companies.find({ company_id: company.id })).company_id, 'ACC-2');
    const byCompanyId = await h.client.companies.retrieve({ company_id: 'ACC-2' });
    // The 2.14 schema answers a one-company list here (the SDK's type also allows one company).
    assert.ok(byCompanyId.type === 'list' && byCompanyId.data?.[0]?.id === company.id);
    const byName = await h.client.companies.retrieve({ name: 'Beta Corp' });
    assert.ok(
      byName.type === 'list' && byName.data?.length === 1 && byName.data[0]?.id === company.id,
    );
    const missingByCompanyId = await failure(
      h.client.companies.retrieve({ company_id: 'ACC-none' }),
    );
    assert.equal(missingByCompanyId.statusCode, 404);
    const missing = await failure(
      h.client.companies.find({ company_id: '000000000000000000000000' }),
    );
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.body.errors[0].code, 'company_not_found');
  });

  it('updates a company by Intercom id and refuses to change its company_id', async () => {
    const company = await h.client.companies.createOrUpdate({ company_id: 'ACC-3', name: 'Gamma' });
    const updated = await h.client.companies.update({
      company_id: company.id,
      body: { name: 'Gamma Two', size: 12 },
    });
    assert.equal(updated.name, 'Gamma Two');
    assert.equal(updated.size, 12);
    assert.ok(updated.updated_at !== undefined);
    const moved = await failure(
      h.client.companies.update({
        company_id: company.id,
        body: loose({ company_id: 'ACC-other' }),
      }),
    );
    assert.equal(moved.statusCode, 400);
  });

  it('attaches and detaches contacts, counting users and listing attached contacts', async () => {
    const company = await h.client.companies.createOrUpdate({ company_id: 'ACC-4', name: 'Delta' });
    const a = await h.client.contacts.create({ email: 'a@delta.example' });
    const b = await h.client.contacts.create({ email: 'b@delta.example' });
    await h.client.companies.attachContact({ contact_id: a.id, id: company.id });
    const attached = await h.client.companies.attachContact({ contact_id: b.id, id: company.id });
    assert.equal(attached.user_count, 2);
    const contacts = await h.client.companies.listAttachedContacts({ company_id: company.id });
    assert.deepEqual(contacts.data?.map((c) => c.id).sort(), [a.id, b.id].sort());
    const detached = await h.client.companies.detachContact({
      contact_id: a.id,
      company_id: company.id,
    });
    assert.equal(detached.user_count, 1);
    const missing = await failure(
      h.client.companies.attachContact({ contact_id: a.id, id: '000000000000000000000000' }),
    );
    assert.equal(missing.statusCode, 404);
  });

  it('lists only companies with contacts, paging until an empty page as the SDK does', async () => {
    await h.control('POST', '/seed', {
      seed: 'demo',
      contacts: 200,
      companies: 40,
      conversations: 0,
    });
    try {
      const seen: string[] = [];
      for await (const company of await h.client.companies.list({ per_page: 15 }))
        seen.push(company.id);
      assert.equal(seen.length, 40);
      assert.equal(new Set(seen).size, 40);
      const past = await h.api('POST', '/companies/list?page=99&per_page=15');
      assert.equal(past.status, 200);
      assert.deepEqual(past.body.data, []);
      const scrolled: string[] = [];
      for await (const company of await h.client.companies.scroll()) scrolled.push(company.id);
      assert.equal(scrolled.length, 40);
      // One open scroll per app: a second one is refused until the first ends or expires.
      const first = await h.client.companies.scroll();
      assert.equal(first.data.length, 40);
      const second = await failure(h.client.companies.scroll());
      assert.equal(second.statusCode, 400);
      assert.equal(second.body.errors[0].code, 'scroll_exists');
      const stale = await failure(h.client.companies.scroll({ scroll_param: 'not-a-scroll' }));
      assert.equal(stale.statusCode, 404);
      while (first.hasNextPage()) await first.getNextPage();
      assert.equal(
        (await h.client.companies.scroll()).data.length,
        40,
        'the ended scroll is closed',
      );
    } finally {
      await h.control('POST', '/seed', { seed: 'empty' });
      await h.client.dataAttributes.create(
        loose({ name: 'tier', model: 'company', data_type: 'string' }),
      );
    }
  });

  it('deletes a company and detaches its contacts', async () => {
    const company = await h.client.companies.createOrUpdate({
      company_id: 'ACC-5',
      name: 'Epsilon',
    });
    const contact = await h.client.contacts.create({ email: 'e@epsilon.example' });
    await h.client.companies.attachContact({ contact_id: contact.id, id: company.id });
    const deleted = await h.client.companies.delete({ company_id: company.id });
    assert.equal(deleted.deleted, true);
    assert.equal(
      (await h.client.contacts.find({ contact_id: contact.id })).companies?.total_count,
      0,
    );
  });

  it('creates, lists and finds tags, tags and untags a contact, and refuses to delete a tag in use', async () => {
    const tag = await h.client.tags.create({ name: 'VIP' });
    assert.equal(
      (await h.client.tags.create({ name: 'VIP' })).id,
      tag.id,
      'a second create returns the same tag',
    );
    assert.ok((await h.client.tags.list()).data?.some((t) => t.id === tag.id));
    assert.equal((await h.client.tags.find({ tag_id: tag.id })).name, 'VIP');
    const contact = await h.client.contacts.create({ email: 'tagged@example.com' });
    const applied = await h.client.tags.tagContact({ contact_id: contact.id, id: tag.id });
    assert.equal(applied.applied_by?.type, 'admin');
    const inUse = await failure(h.client.tags.delete({ tag_id: tag.id }));
    assert.equal(inUse.statusCode, 400);
    assert.equal(inUse.body.errors[0].code, 'tag_has_dependent_objects');
    await h.client.tags.untagContact({ contact_id: contact.id, tag_id: tag.id });
    assert.equal(
      (await h.client.contacts.listAttachedTags({ contact_id: contact.id })).data?.length,
      0,
    );
    await h.client.tags.delete({ tag_id: tag.id });
    assert.equal((await failure(h.client.tags.find({ tag_id: tag.id }))).statusCode, 404);
    const missing = await failure(
      h.client.tags.tagContact({ contact_id: '000000000000000000000000', id: '1' }),
    );
    assert.equal(missing.statusCode, 404);
  });

  it('lists, creates and updates data attributes, refusing a duplicate name with the real message', async () => {
    const created = await h.client.dataAttributes.create(
      loose({
        name: 'Mithril Shirt',
        model: 'company',
        data_type: 'string',
      }),
    );
    assert.equal(created.full_name, 'custom_attributes.Mithril Shirt');
    const duplicate = await failure(
      h.client.dataAttributes.create(
        loose({
          name: 'Mithril Shirt',
          model: 'company',
          data_type: 'string',
        }),
      ),
    );
    assert.equal(duplicate.statusCode, 400);
    assert.equal(
      duplicate.body.errors[0].message,
      "You already have 'Mithril Shirt' in your company data. To save this as new company data, use a different name.",
    );
    const archived = await h.client.dataAttributes.update({
      data_attribute_id: created.id ?? 0,
      body: { archived: true },
    });
    assert.equal(archived.archived, true);
    const listed = await h.client.dataAttributes.list({ model: 'company' });
    assert.ok(!listed.data?.some((a) => a.id === created.id));
    const withArchived = await h.client.dataAttributes.list({
      model: 'company',
      include_archived: true,
    });
    assert.ok(withArchived.data?.some((a) => a.id === created.id));
    assert.ok(withArchived.data?.some((a) => a.custom === false && a.name === 'company_id'));
  });
});

describe('the companies scroll over time', () => {
  it('expires a scroll unused for a minute, which frees the app to open another', async () => {
    let now = Date.UTC(2026, 2, 10, 9);
    const h = await startHarness({
      seed: 'demo',
      demoSize: { contacts: 100, companies: 60, conversations: 0 },
      clock: () => now,
    });
    try {
      const page = await h.client.companies.scroll();
      assert.equal(page.data.length, 50);
      now += 61_000;
      const stale = await failure(page.getNextPage());
      assert.equal(stale.statusCode, 404);
      assert.equal((await h.client.companies.scroll()).data.length, 50);
    } finally {
      await h.close();
      assertNoSchemaFailures();
    }
  });
});
