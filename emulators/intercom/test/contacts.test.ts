import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNoSchemaFailures, failure, loose, startHarness, type Harness } from './harness.ts';

describe('contacts through the unchanged SDK', () => {
  let h: Harness;
  // Tests move the emulator's clock forward instead of waiting.
  let shiftMs = 0;
  before(async () => {
    h = await startHarness({ clock: () => Date.now() + shiftMs });
    await h.client.dataAttributes.create(
      loose({ name: 'plan', model: 'contact', data_type: 'string' }),
    );
    await h.client.dataAttributes.create(
      loose({ name: 'seats', model: 'contact', data_type: 'integer' }),
    );
  });
  after(async () => {
    await h.close();
    assertNoSchemaFailures();
  });

  it('creates a user, finds it by id and by external id', async () => {
    const created = await h.client.contacts.create({
      role: 'user',
      email: 'ada@example.com',
      external_id: 'CN-1',
      name: 'Ada',
      custom_attributes: { plan: 'pro', seats: 3 },
    });
    assert.equal(created.role, 'user');
    assert.match(created.id, /^[0-9a-f]{24}$/);
    assert.deepEqual(created.custom_attributes, { plan: 'pro', seats: 3 });
    const found = await h.client.contacts.find({ contact_id: created.id });
    assert.equal(found.email, 'ada@example.com');
    const byExternal = await h.client.contacts.showContactByExternalId({ external_id: 'CN-1' });
    assert.equal(byExternal.id, created.id);
  });

  it('refuses a second user with the same email with 409 conflict naming the first', async () => {
    const first = await h.client.contacts.create({ email: 'twin@example.com' });
    const error = await failure(
      h.client.contacts.create({ email: 'TWIN@example.com', role: 'user' }),
    );
    assert.equal(error.statusCode, 409);
    assert.equal(error.body.errors[0].code, 'conflict');
    assert.equal(
      error.body.errors[0].message,
      `A contact matching those details already exists with id=${first.id}`,
    );
  });

  it('refuses a second contact with the same external_id with 409 conflict', async () => {
    await h.client.contacts.create({ external_id: 'CN-dup', role: 'user' });
    const error = await failure(h.client.contacts.create({ external_id: 'CN-dup', role: 'user' }));
    assert.equal(error.statusCode, 409);
  });

  it("refuses to update a user onto another user's email or external_id with 409", async () => {
    const a = await h.client.contacts.create({
      email: 'first@update.example',
      external_id: 'CN-u1',
    });
    const b = await h.client.contacts.create({ email: 'second@update.example' });
    const byEmail = await failure(
      h.client.contacts.update({ contact_id: b.id, email: 'first@update.example' }),
    );
    assert.equal(byEmail.statusCode, 409);
    assert.match(byEmail.body.errors[0].message, new RegExp(`id=${a.id}$`));
    const byExternalId = await failure(
      h.client.contacts.update({ contact_id: b.id, external_id: 'CN-u1' }),
    );
    assert.equal(byExternalId.statusCode, 409);
    assert.equal(
      (await h.client.contacts.find({ contact_id: b.id })).email,
      'second@update.example',
    );
  });

  it('turns a lead into a user by update, and refuses the reverse', async () => {
    const lead = await h.client.contacts.create({ role: 'lead', email: 'convert@update.example' });
    const user = await h.client.contacts.update({ contact_id: lead.id, role: 'user' });
    assert.equal(user.role, 'user');
    assert.ok(user.signed_up_at);
    const back = await failure(h.client.contacts.update({ contact_id: lead.id, role: 'lead' }));
    assert.equal(back.statusCode, 400);
  });

  it('lets a lead share its email with a user', async () => {
    const user = await h.client.contacts.create({ email: 'shared@example.com', role: 'user' });
    const lead = await h.client.contacts.create({ email: 'shared@example.com', role: 'lead' });
    assert.notEqual(user.id, lead.id);
    assert.equal(lead.role, 'lead');
  });

  it('moves updated_at on every change and keeps it on a no-op', async () => {
    const contact = await h.client.contacts.create({ email: 'mover@example.com' });
    const before = contact.updated_at;
    shiftMs += 5_000;
    const changed = await h.client.contacts.update({ contact_id: contact.id, name: 'Moved' });
    assert.ok(changed.updated_at > before, `${changed.updated_at} > ${before}`);
    assert.equal(changed.name, 'Moved');
    const same = await h.client.contacts.update({ contact_id: contact.id, name: 'Moved' });
    assert.equal(same.updated_at, changed.updated_at);
    assert.ok(changed.updated_at - before >= 5 && changed.updated_at - before <= 6);
  });

  it('refuses custom attributes that are not data attributes, or of the wrong type, with 400', async () => {
    const unknown = await failure(
      h.client.contacts.create({ email: 'ca1@example.com', custom_attributes: { nope: 1 } }),
    );
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.body.errors[0].code, 'parameter_invalid');
    assert.match(unknown.body.errors[0].message, /nope/);
    const wrongType = await failure(
      h.client.contacts.create({ email: 'ca2@example.com', custom_attributes: { seats: 'many' } }),
    );
    assert.equal(wrongType.statusCode, 400);
  });

  it('accepts an admin as owner_id and refuses anyone else with the real 400', async () => {
    const owned = await h.client.contacts.create({
      email: 'owned@example.com',
      owner_id: 991267001,
    });
    assert.equal(owned.owner_id, 991267001);
    const error = await failure(
      h.client.contacts.create({ email: 'stray@example.com', owner_id: 42 }),
    );
    assert.equal(error.statusCode, 400);
    assert.deepEqual(error.body.errors, [
      {
        code: 'parameter_invalid',
        message: 'The owner specified is not a member of the workspace',
      },
    ]);
  });

  it('deletes a contact, which then answers 404', async () => {
    const contact = await h.client.contacts.create({ email: 'gone@example.com' });
    const deleted = await h.client.contacts.delete({ contact_id: contact.id });
    assert.equal(deleted.deleted, true);
    assert.equal(
      (await failure(h.client.contacts.find({ contact_id: contact.id }))).statusCode,
      404,
    );
  });

  it('archives a contact out of lists and lookups, blocks a duplicate, and unarchives it', async () => {
    const contact = await h.client.contacts.create({
      email: 'archived@example.com',
      external_id: 'CN-arch',
    });
    const archived = await h.client.contacts.archive({ contact_id: contact.id });
    assert.equal(archived.archived, true);
    assert.equal(
      (await failure(h.client.contacts.find({ contact_id: contact.id }))).statusCode,
      404,
    );
    const duplicate = await failure(h.client.contacts.create({ email: 'archived@example.com' }));
    assert.equal(duplicate.statusCode, 409);
    assert.equal(
      duplicate.body.errors[0].message,
      `An archived contact matching those details already exists with id=${contact.id}`,
    );
    const ids: string[] = [];
    for await (const c of await h.client.contacts.list({ per_page: 150 })) ids.push(c.id);
    assert.ok(!ids.includes(contact.id));
    const unarchived = await h.client.contacts.unarchive({ contact_id: contact.id });
    assert.equal(unarchived.archived, false);
    assert.equal(
      (await h.client.contacts.find({ contact_id: contact.id })).email,
      'archived@example.com',
    );
  });

  it('deletes an archived contact by id, the only handle left on it', async () => {
    const contact = await h.client.contacts.create({ email: 'archived-then-deleted@example.com' });
    await h.client.contacts.archive({ contact_id: contact.id });
    const search = await h.client.contacts.search({
      query: { field: 'email', operator: '=', value: 'archived-then-deleted@example.com' },
    });
    assert.equal(search.data.length, 0);
    assert.equal((await h.client.contacts.delete({ contact_id: contact.id })).deleted, true);
    assert.equal(
      (await failure(h.client.contacts.unarchive({ contact_id: contact.id }))).statusCode,
      404,
    );
  });

  it('merges a lead into a user: the lead disappears (404) and the user keeps both', async () => {
    const lead = await h.client.contacts.create({
      role: 'lead',
      phone: '+441234',
      name: 'Lead name',
    });
    const user = await h.client.contacts.create({ role: 'user', email: 'merge-into@example.com' });
    const merged = await h.client.contacts.mergeLeadInUser({ from: lead.id, into: user.id });
    assert.equal(merged.id, user.id);
    assert.equal(merged.phone, '+441234');
    assert.equal(merged.name, 'Lead name');
    assert.equal((await failure(h.client.contacts.find({ contact_id: lead.id }))).statusCode, 404);
    const search = await h.client.contacts.search({
      query: { field: 'id', operator: '=', value: lead.id },
    });
    assert.equal(search.data.length, 0);
  });

  it('refuses to merge a user into a user', async () => {
    const a = await h.client.contacts.create({ email: 'u1@merge.example' });
    const b = await h.client.contacts.create({ email: 'u2@merge.example' });
    const error = await failure(h.client.contacts.mergeLeadInUser({ from: a.id, into: b.id }));
    assert.equal(error.statusCode, 400);
  });

  it('pages through every contact with starting_after, at most 150 a page', async () => {
    await h.control('POST', '/seed', {
      seed: 'demo',
      contacts: 320,
      companies: 5,
      conversations: 0,
    });
    try {
      const seen = new Set<string>();
      let page = await h.client.contacts.list({ per_page: 150 });
      let pages = 1;
      for (const c of page.data) seen.add(c.id);
      while (page.hasNextPage()) {
        page = await page.getNextPage();
        pages += 1;
        for (const c of page.data) seen.add(c.id);
      }
      assert.equal(pages, 3);
      assert.equal(seen.size, 320);
      const tooMany = await h.api('GET', '/contacts?per_page=151');
      assert.equal(tooMany.status, 400);
    } finally {
      await h.control('POST', '/seed', { seed: 'empty' });
    }
  });

  it('lists the tags and companies attached to a contact', async () => {
    const contact = await h.client.contacts.create({ email: 'attached@example.com' });
    const tag = await h.client.tags.create({ name: 'Attached' });
    await h.client.tags.tagContact({ contact_id: contact.id, id: tag.id });
    const company = await h.client.companies.createOrUpdate({ company_id: 'ACME', name: 'Acme' });
    await h.client.companies.attachContact({ contact_id: contact.id, id: company.id });
    const tags = await h.client.contacts.listAttachedTags({ contact_id: contact.id });
    assert.deepEqual(
      tags.data?.map((t) => t.name),
      ['Attached'],
    );
    const companies: string[] = [];
    for await (const c of await h.client.contacts.listAttachedCompanies({ contact_id: contact.id }))
      companies.push(c.company_id ?? '');
    assert.deepEqual(companies, ['ACME']);
    const found = await h.client.contacts.find({ contact_id: contact.id });
    assert.equal(found.companies?.total_count, 1);
    assert.equal(found.tags?.data?.[0]?.id, tag.id);
  });
});
