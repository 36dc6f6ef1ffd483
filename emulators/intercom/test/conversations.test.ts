import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNoSchemaFailures, failure, loose, startHarness, type Harness } from './harness.ts';

describe('conversations through the unchanged SDK', () => {
  let h: Harness;
  let userId = '';
  const admin = '991267002';
  before(async () => {
    h = await startHarness({
      seed: 'demo',
      demoSize: { contacts: 40, companies: 4, conversations: 30 },
    });
    userId = (
      await h.client.contacts.create({ email: 'talker@example.com', external_id: 'CN-talk' })
    ).id;
  });
  after(async () => {
    await h.close();
    assertNoSchemaFailures();
  });

  it('lets a user start a conversation and finds it with its parts', async () => {
    const message = await h.client.conversations.create({
      from: { type: 'user', id: userId },
      body: 'Hello there',
    });
    assert.ok(message.conversation_id);
    const conversation = await h.client.conversations.find({
      conversation_id: message.conversation_id ?? '',
    });
    assert.equal(conversation.state, 'open');
    assert.equal(conversation.source?.body, '<p>Hello there</p>');
    assert.deepEqual(
      conversation.contacts?.contacts?.map((c) => c.id),
      [userId],
    );
    assert.equal(conversation.conversation_parts?.total_count, 0);
  });

  it('answers 404 for a conversation that does not exist', async () => {
    const error = await failure(h.client.conversations.find({ conversation_id: '999999' }));
    assert.equal(error.statusCode, 404);
  });

  it('records admin and user replies as parts, in order', async () => {
    const { conversation_id: id = '' } = await h.client.conversations.create({
      from: { type: 'user', id: userId },
      body: 'Question',
    });
    await h.client.conversations.reply({
      conversation_id: id,
      body: { message_type: 'comment', type: 'admin', admin_id: admin, body: 'Answer' },
    });
    const replied = await h.client.conversations.reply({
      conversation_id: id,
      body: { message_type: 'comment', type: 'user', intercom_user_id: userId, body: 'Thanks' },
    });
    const parts = replied.conversation_parts?.conversation_parts ?? [];
    assert.deepEqual(
      parts.map((p) => [p.part_type, p.author?.type, p.body]),
      [
        ['comment', 'admin', '<p>Answer</p>'],
        ['comment', 'user', '<p>Thanks</p>'],
      ],
    );
    const talker = await h.client.contacts.find({ contact_id: userId });
    assert.equal(talker.last_replied_at, parts[1]?.created_at);
    assert.equal(talker.last_contacted_at, parts[0]?.created_at);
    assert.ok((talker.updated_at ?? 0) >= (parts[1]?.created_at ?? Infinity));
    const plain = await h.client.conversations.find({
      conversation_id: id,
      display_as: 'plaintext',
    });
    assert.equal(plain.conversation_parts?.conversation_parts?.[0]?.body, 'Answer');
  });

  it('assigns, snoozes, closes and reopens a conversation', async () => {
    const { conversation_id: id = '' } = await h.client.conversations.create({
      from: { type: 'user', id: userId },
      body: 'Help',
    });
    const assigned = await h.client.conversations.manage({
      conversation_id: id,
      body: { message_type: 'assignment', type: 'admin', admin_id: admin, assignee_id: admin },
    });
    assert.equal(assigned.admin_assignee_id, Number(admin));
    const snoozed = await h.client.conversations.manage({
      conversation_id: id,
      body: {
        message_type: 'snoozed',
        admin_id: admin,
        snoozed_until: Math.floor(Date.now() / 1000) + 3600,
      },
    });
    assert.equal(snoozed.state, 'snoozed');
    const closed = await h.client.conversations.manage({
      conversation_id: id,
      body: { message_type: 'close', type: 'admin', admin_id: admin },
    });
    assert.equal(closed.state, 'closed');
    assert.equal(closed.open, false);
    const opened = await h.client.conversations.manage({
      conversation_id: id,
      body: { message_type: 'open', admin_id: admin },
    });
    assert.equal(opened.state, 'open');
    assert.deepEqual(
      opened.conversation_parts?.conversation_parts?.map((p) => p.part_type),
      ['assignment', 'snoozed', 'close', 'open'],
    );
    const statistics = opened.statistics;
    assert.equal(statistics?.count_assignments, 1);
    assert.equal(statistics?.count_reopens, 1);
    assert.equal(
      statistics?.last_close_at,
      closed.conversation_parts?.conversation_parts?.[2]?.created_at,
    );
    assert.equal(statistics?.last_closed_by_id, admin);
    assert.equal(statistics?.first_contact_reply_at, opened.created_at);
    const unknownAdmin = await failure(
      h.client.conversations.manage({
        conversation_id: id,
        body: { message_type: 'close', type: 'admin', admin_id: '1' },
      }),
    );
    assert.equal(unknownAdmin.statusCode, 404);
  });

  it('updates read and title, and refuses a conversation attribute that does not exist', async () => {
    const { conversation_id: id = '' } = await h.client.conversations.create({
      from: { type: 'user', id: userId },
      body: 'Title me',
    });
    const updated = await h.client.conversations.update({
      conversation_id: id,
      read: true,
      title: 'Billing question',
    });
    assert.equal(updated.read, true);
    assert.equal(updated.title, 'Billing question');
    const error = await failure(
      h.client.conversations.update({ conversation_id: id, custom_attributes: { anything: 'x' } }),
    );
    assert.equal(error.statusCode, 400);
    assert.equal(error.body.errors[0].message, "Conversation attribute 'anything' does not exist");
    const seeded = [...h.emu.emulator.ws.conversations.values()][0];
    assert.ok(seeded && 'issue_type' in seeded.custom_attributes);
    const set = await h.client.conversations.update({
      conversation_id: seeded.id,
      custom_attributes: { issue_type: 'billing' },
    });
    assert.equal(set.custom_attributes?.['issue_type'], 'billing');
    const wrongType = await failure(
      h.client.conversations.update({
        conversation_id: seeded.id,
        custom_attributes: loose({ issue_type: { nested: true } }),
      }),
    );
    assert.equal(wrongType.statusCode, 400);
  });

  it('tags and untags a conversation', async () => {
    const { conversation_id: id = '' } = await h.client.conversations.create({
      from: { type: 'user', id: userId },
      body: 'Tag me',
    });
    const tag = await h.client.tags.create({ name: 'Conversation tag' });
    await h.client.tags.tagConversation({ conversation_id: id, id: tag.id, admin_id: admin });
    const tagged = await h.client.conversations.find({ conversation_id: id });
    assert.deepEqual(
      tagged.tags?.tags?.map((t) => t.id),
      [tag.id],
    );
    await h.client.tags.untagConversation({ conversation_id: id, tag_id: tag.id, admin_id: admin });
    assert.equal(
      (await h.client.conversations.find({ conversation_id: id })).tags?.tags?.length,
      0,
    );
  });

  it('pages through every conversation', async () => {
    const total = h.emu.emulator.ws.conversations.size;
    const seen = new Set<string>();
    for await (const conversation of await h.client.conversations.list({ per_page: 7 }))
      seen.add(conversation.id);
    assert.equal(seen.size, total);
  });

  it('searches conversations by state, contact and assignee, paging in the body', async () => {
    const closed = new Set<string>();
    for await (const c of await h.client.conversations.search({
      query: { field: 'state', operator: '=', value: 'closed' },
      pagination: { per_page: 3 },
    }))
      closed.add(c.id);
    const expected = [...h.emu.emulator.ws.conversations.values()]
      .filter((c) => c.state === 'closed')
      .map((c) => c.id);
    assert.deepEqual([...closed].sort(), expected.sort());
    const mine = await h.client.conversations.search({
      query: {
        operator: 'AND',
        value: [
          { field: 'contact_ids', operator: '=', value: userId },
          { field: 'admin_assignee_id', operator: '=', value: admin },
        ],
      },
    });
    assert.ok(mine.data.length >= 1);
    for (const c of mine.data) assert.equal(c.admin_assignee_id, Number(admin));
  });

  it('compares conversation timestamps with > and < inclusively, as Intercom documents', async () => {
    const { conversation_id: id = '' } = await h.client.conversations.create({
      from: { type: 'user', id: userId },
      body: 'When?',
    });
    const created = (await h.client.conversations.find({ conversation_id: id })).created_at;
    const at = await h.client.conversations.search({
      query: {
        operator: 'AND',
        value: [
          { field: 'id', operator: '=', value: id },
          { field: 'created_at', operator: '>', value: String(created) },
        ],
      },
    });
    assert.deepEqual(
      at.data.map((c) => c.id),
      [id],
    );
  });

  it('answers admin_assignee_id 0 for an unassigned conversation under Intercom-Version 2.16', async () => {
    const { conversation_id: id = '' } = await h.client.conversations.create({
      from: { type: 'user', id: userId },
      body: 'Nobody has me',
    });
    assert.equal(
      (await h.client.conversations.find({ conversation_id: id })).admin_assignee_id,
      null,
    );
    const as216 = await h.api('GET', `/conversations/${id}`, undefined, {
      'intercom-version': '2.16',
    });
    assert.equal(as216.body.admin_assignee_id, 0);
  });

  it('serves the demo seed with images, tags, closed and assigned conversations', async () => {
    const all = [...h.emu.emulator.ws.conversations.values()];
    assert.ok(all.some((c) => c.parts.some((p) => p.attachments.length > 0)));
    assert.ok(all.some((c) => c.tags.length > 0));
    assert.ok(all.some((c) => c.state === 'closed'));
    assert.ok(all.some((c) => c.admin_assignee_id !== null));
    const withImage = all.find((c) => c.parts.some((p) => p.attachments.length > 0));
    const found = await h.client.conversations.find({ conversation_id: withImage?.id ?? '' });
    assert.ok(
      found.conversation_parts?.conversation_parts?.some((p) => (p.attachments?.length ?? 0) > 0),
    );
  });
});
