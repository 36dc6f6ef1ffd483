import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { assertNoSchemaFailures, startHarness, type Harness } from './harness.ts';
import { startReceiver, type Delivery, type Receiver } from './receiver.ts';

const fixture = (topic: string) =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/webhooks/${topic}.json`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

/** Key paths of a JSON value (objects and the first element of arrays), to compare structure. */
function shape(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [] : shape(value[0], `${prefix}[]`);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    `${prefix}${key}`,
    ...shape(child, `${prefix}${key}.`),
  ]);
}

const independentSignature = (raw: string) =>
  'sha1=' + createHmac('sha1', 'tandem-dev-secret').update(Buffer.from(raw, 'utf8')).digest('hex');

describe('webhook notifications', () => {
  let h: Harness;
  let receiver: Receiver;
  const topics = (deliveries: Delivery[]) => deliveries.map((d) => d.body.topic);
  before(async () => {
    h = await startHarness({ webhookRetryDelayMs: 100, webhookTimeoutMs: 3000 });
  });
  beforeEach(async () => {
    receiver = await startReceiver();
    await h.control('POST', '/reset');
    await h.control('POST', '/webhooks', { url: receiver.url, topics: ['*'] });
  });
  afterEach(async () => {
    await h.emu.emulator.webhooks.idle();
    await receiver.close();
  });
  after(async () => {
    await h.close();
    assertNoSchemaFailures();
  });

  it('signs every notification with X-Hub-Signature, an HMAC-SHA1 of the raw body with the client secret', async () => {
    await h.client.contacts.create({ email: 'signed@example.com' });
    const [delivery] = await receiver.waitFor(1);
    assert.ok(delivery);
    assert.equal(delivery.headers['x-hub-signature'], independentSignature(delivery.raw));
    assert.equal(delivery.headers['content-type'], 'application/json');
    assert.equal(delivery.headers['user-agent'], 'intercom-parrot-service-client/1.0');
  });

  it('sends the envelope and items of the recorded real notifications', async () => {
    const user = await h.client.contacts.create({
      email: 'shape@example.com',
      external_id: 'CN-shape',
    });
    await h.client.contacts.create({ role: 'lead', email: 'lead-shape@example.com' });
    const employer = await h.client.companies.createOrUpdate({ company_id: 'ACC-employer' });
    await h.client.companies.attachContact({ contact_id: user.id, id: employer.id });
    await h.client.contacts.update({ contact_id: user.id, name: 'Shaped' });
    const lead = await h.client.contacts.create({ role: 'lead', name: 'Tagged lead' });
    const tag = await h.client.tags.create({ name: 'Feature Request' });
    await h.client.tags.tagContact({ contact_id: lead.id, id: tag.id });
    const { conversation_id: conversationId = '' } = await h.client.conversations.create({
      from: { type: 'user', id: user.id },
      body: 'hi',
    });
    await h.client.conversations.manage({
      conversation_id: conversationId,
      body: {
        message_type: 'assignment',
        type: 'admin',
        admin_id: '991267001',
        assignee_id: '991267001',
      },
    });
    await h.emu.emulator.webhooks.idle();
    const deliveries = receiver.deliveries;
    const byTopic = new Map(deliveries.map((d) => [d.body.topic, d.body]));
    const pairs: [string, string][] = [
      ['contact.user.created', 'contact.user.created'],
      ['contact.lead.created', 'contact.lead.created'],
      ['contact.user.updated', 'contact.user.updated'],
      ['contact.lead.tag.created', 'contact.lead.tag.created'],
      ['company.created', 'company.created'],
      ['conversation.admin.assigned', 'conversation.admin.open.assigned'],
    ];
    for (const [topic, recorded] of pairs) {
      const sent = byTopic.get(topic);
      assert.ok(sent, `no ${topic} notification`);
      const real = fixture(recorded);
      assert.deepEqual(Object.keys(sent).sort(), Object.keys(real).sort(), `${topic} envelope`);
      const missing = shape(real['data'])
        .filter((path) => !shape(sent['data']).includes(path))
        // Workspace-specific custom attributes aside.
        .filter(
          (path) =>
            !/^item\.(custom_attributes\.|conversation_parts\[\]\.event_details)/.test(path),
        );
      assert.deepEqual(missing, [], `${topic} item lacks the recorded keys`);
      assert.equal(sent['type'], 'notification_event');
      assert.match(String(sent['id']), /^notif_[0-9a-f-]{36}$/);
    }
    const contactItem = byTopic.get('contact.user.created')?.data.item;
    assert.match(
      String(contactItem?.['created_at']),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/,
    );
  });

  it('notifies every contact, company and conversation change Tandem relies on, whatever made it', async () => {
    const user = await h.client.contacts.create({ email: 'all@example.com' });
    const lead = await h.client.contacts.create({ role: 'lead', email: 'lead-all@example.com' });
    await h.client.contacts.update({ contact_id: lead.id, name: 'Lead updated' });
    await h.client.contacts.update({ contact_id: user.id, email: 'all-new@example.com' });
    await h.control('POST', `/contacts/${lead.id}/signup`, { external_id: 'CN-signed' });
    const lead2 = await h.client.contacts.create({ role: 'lead', phone: '+1' });
    await h.client.contacts.mergeLeadInUser({ from: lead2.id, into: user.id });
    const tag = await h.client.tags.create({ name: 'T' });
    await h.client.tags.tagContact({ contact_id: user.id, id: tag.id });
    await h.client.tags.untagContact({ contact_id: user.id, tag_id: tag.id });
    const company = await h.client.companies.createOrUpdate({ company_id: 'ACC-all' });
    await h.client.companies.createOrUpdate({ company_id: 'ACC-all', name: 'Renamed' });
    await h.client.companies.attachContact({ contact_id: user.id, id: company.id });
    await h.client.companies.detachContact({ contact_id: user.id, company_id: company.id });
    const { conversation_id: id = '' } = await h.client.conversations.create({
      from: { type: 'user', id: user.id },
      body: 'hello',
    });
    await h.client.conversations.reply({
      conversation_id: id,
      body: { message_type: 'comment', type: 'user', intercom_user_id: user.id, body: 'more' },
    });
    await h.client.conversations.reply({
      conversation_id: id,
      body: { message_type: 'comment', type: 'admin', admin_id: '991267001', body: 'answer' },
    });
    await h.client.conversations.manage({
      conversation_id: id,
      body: {
        message_type: 'assignment',
        type: 'admin',
        admin_id: '991267001',
        assignee_id: '991267001',
      },
    });
    await h.client.conversations.manage({
      conversation_id: id,
      body: { message_type: 'close', type: 'admin', admin_id: '991267001' },
    });
    await h.client.conversations.manage({
      conversation_id: id,
      body: { message_type: 'open', admin_id: '991267001' },
    });
    const other = await h.client.contacts.create({ email: 'bye@example.com' });
    await h.client.contacts.archive({ contact_id: other.id });
    await h.client.contacts.unarchive({ contact_id: other.id });
    await h.client.contacts.delete({ contact_id: other.id });
    await h.control('POST', '/contacts', { email: 'from-ui@example.com' });
    await h.emu.emulator.webhooks.idle();
    const seen = new Set(topics(receiver.deliveries));
    for (const topic of [
      'contact.user.created',
      'contact.lead.created',
      'contact.user.updated',
      'contact.lead.updated',
      'contact.lead.signed_up',
      'contact.email.updated',
      'contact.merged',
      'contact.archived',
      'contact.unarchive',
      'contact.deleted',
      'contact.user.tag.created',
      'contact.user.tag.deleted',
      'company.created',
      'company.updated',
      'company.contact.attached',
      'company.contact.detached',
      'conversation.user.created',
      'conversation.user.replied',
      'conversation.admin.replied',
      'conversation.admin.assigned',
      'conversation.admin.closed',
      'conversation.admin.opened',
    ])
      assert.ok(seen.has(topic), `missing ${topic}`);
    const replied = receiver.deliveries.find((d) => d.body.topic === 'conversation.admin.replied');
    const parts = (
      replied?.body.data.item['conversation_parts'] as { conversation_parts: { body: string }[] }
    ).conversation_parts;
    assert.deepEqual(
      parts.map((p) => p.body),
      ['<p>answer</p>'],
      'the notification carries the triggering part',
    );
    const merged = receiver.deliveries.find((d) => d.body.topic === 'contact.merged');
    assert.equal(merged?.body.data.item['id'], user.id);
    assert.deepEqual(merged?.body.data.item['merged_from'], { type: 'contact', id: lead2.id });
    const deleted = receiver.deliveries.find((d) => d.body.topic === 'contact.deleted');
    assert.deepEqual(deleted?.body.data.item, { type: 'contact', id: other.id, external_id: null });
    const signup = receiver.deliveries.find((d) => d.body.topic === 'contact.lead.signed_up');
    assert.equal(signup?.body.data.item['role'], 'user');
    assert.equal(signup?.body.data.item['id'], lead.id);
  });

  it('pings a subscription on demand with the recorded ping item', async () => {
    const { subscriptions } = await h.control('GET', '/webhooks');
    await h.control('POST', `/webhooks/${subscriptions[0].id}/ping`);
    const [ping] = await receiver.waitFor(1);
    assert.equal(ping?.body.topic, 'ping');
    assert.deepEqual(ping?.body.data, fixture('ping')['data']);
  });

  it('waits for deliveries on demand through the control plane', async () => {
    receiver.answer = () => ({ status: 200, delayMs: 200 });
    await h.client.contacts.create({ email: 'flushed@example.com' });
    await h.control('POST', '/webhooks/flush');
    assert.equal(receiver.deliveries.length, 1);
    const log = await h.control('GET', '/webhooks/deliveries');
    assert.equal(log.deliveries[0].outcome, 'delivered');
  });

  it('shows each record as it was at the change, not as it is at delivery', async () => {
    receiver.answer = () => ({ status: 200, delayMs: 50 });
    const contact = await h.client.contacts.create({ email: 'then@example.com', name: 'Before' });
    await h.client.contacts.update({ contact_id: contact.id, name: 'After' });
    await h.emu.webhooksIdle();
    const names = receiver.deliveries
      .map((d) => [d.body.topic, d.body.data.item['name']])
      .sort(([a], [b]) => String(a).localeCompare(String(b)));
    assert.deepEqual(names, [
      ['contact.user.created', 'Before'],
      ['contact.user.updated', 'After'],
    ]);
  });

  it('checks the endpoint with a HEAD request when asked to, as Intercom does on saving', async () => {
    await h.control('POST', '/reset');
    const verified = await h.control('POST', '/webhooks', {
      url: receiver.url,
      topics: ['*'],
      verify: true,
    });
    assert.equal(verified.active, true);
    receiver.headStatus = 405;
    const refused = await fetch(`${h.url}/__emulator/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, topics: ['*'], verify: true }),
    });
    assert.equal(refused.status, 400);
    assert.match(
      ((await refused.json()) as { errors: { message: string }[] }).errors[0]?.message ?? '',
      /HEAD/,
    );
  });

  it('delivers only the topics a subscription asks for', async () => {
    await h.control('POST', '/reset');
    await h.control('POST', '/webhooks', { url: receiver.url, topics: ['company.created'] });
    await h.client.contacts.create({ email: 'quiet@example.com' });
    await h.client.companies.createOrUpdate({ company_id: 'ACC-loud' });
    await h.emu.emulator.webhooks.idle();
    assert.deepEqual(topics(receiver.deliveries), ['company.created']);
  });

  it('delivers after the API has answered', async () => {
    receiver.answer = () => ({ status: 200, delayMs: 400 });
    const started = Date.now();
    await h.client.contacts.create({ email: 'async@example.com' });
    assert.ok(Date.now() - started < 400, 'the API call did not wait for the webhook endpoint');
    await receiver.waitFor(1);
  });

  it('retries once after the delay when the endpoint answers an error, then logs the failure', async () => {
    receiver.answer = () => ({ status: 500 });
    await h.client.contacts.create({ email: 'retry@example.com' });
    await h.emu.emulator.webhooks.idle();
    assert.deepEqual(
      receiver.deliveries.map((d) => d.body.delivery_attempts),
      [1, 2],
    );
    assert.ok((receiver.deliveries[1]?.at ?? 0) - (receiver.deliveries[0]?.at ?? 0) >= 90);
    assert.equal(
      receiver.deliveries[1]?.headers['x-hub-signature'],
      independentSignature(receiver.deliveries[1]?.raw ?? ''),
    );
    const log = await h.control('GET', '/webhooks/deliveries');
    assert.deepEqual(
      log.deliveries.map((d: { outcome: string }) => d.outcome),
      ['retry_scheduled', 'failed'],
    );
    const stats = await h.control('GET', '/stats');
    assert.equal(stats.webhooks_failed, 1);
  });

  it('treats no answer within the timeout as a failure and retries', async () => {
    await h.control('PUT', '/settings', { webhookTimeoutMs: 300 });
    receiver.answer = (_delivery, index) =>
      index === 0 ? { status: 200, delayMs: 1500 } : { status: 200 };
    await h.client.contacts.create({ email: 'slow@example.com' });
    await h.emu.emulator.webhooks.idle();
    await h.control('PUT', '/settings', { webhookTimeoutMs: 3000 });
    assert.equal(receiver.deliveries.length, 2);
    const log = await h.control('GET', '/webhooks/deliveries');
    assert.deepEqual(
      log.deliveries.map((d: { outcome: string }) => d.outcome),
      ['retry_scheduled', 'delivered'],
    );
  });

  it('disables a subscription whose endpoint answers 410 Gone', async () => {
    receiver.answer = () => ({ status: 410 });
    await h.client.contacts.create({ email: 'gone@example.com' });
    await h.emu.emulator.webhooks.idle();
    await h.client.contacts.create({ email: 'gone-again@example.com' });
    await h.emu.emulator.webhooks.idle();
    assert.equal(receiver.deliveries.length, 1);
    const { subscriptions } = await h.control('GET', '/webhooks');
    assert.equal(subscriptions[0].active, false);
  });

  it('can deliver every notification twice and shuffle the order', async () => {
    await h.control('PUT', '/settings', { webhookDuplicates: true, webhookShuffle: true });
    try {
      const created: string[] = [];
      for (let i = 0; i < 6; i++)
        created.push(
          (await h.client.companies.createOrUpdate({ company_id: `ACC-dup-${i}` })).company_id ??
            '',
        );
      await h.emu.emulator.webhooks.idle();
      const ids = receiver.deliveries.map((d) => d.body.id);
      assert.equal(ids.length, 12);
      assert.equal(new Set(ids).size, 6, 'each notification id arrives twice');
    } finally {
      await h.control('PUT', '/settings', { webhookDuplicates: false, webhookShuffle: false });
    }
  });
});
