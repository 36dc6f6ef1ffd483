import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { verifyIntercomSignature } from '../connectors/intercom/index.ts';
import { createSecretBox, openStore, type Store } from '../store/index.ts';
import { createApp, createMetrics, webhookBodyLimit } from './index.ts';

const secret = 'intercom-client-secret-for-tests';
// Computed here, independently of the verifier under test.
const sign = (body: string | Buffer, key = secret) =>
  `sha1=${createHmac('sha1', key).update(body).digest('hex')}`;

const fixture = (name: string) =>
  readFileSync(new URL(`../../emulators/intercom/fixtures/webhooks/${name}.json`, import.meta.url));

/** A contact notification as Intercom sends it (id, topic and contact id varied per test). */
const notification = (id: string | null, contactId = 'c-1', topic = 'contact.user.updated') =>
  JSON.stringify({
    type: 'notification_event',
    app_id: 'abc123def',
    id,
    topic,
    data: {
      type: 'notification_event_data',
      item: { type: 'contact', id: contactId, role: 'user', email: 'ada@example.com' },
    },
    created_at: 1_763_726_400,
    delivery_attempts: 1,
    first_sent_at: 1_763_726_400,
  });

describe('POST /webhooks/intercom', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  let enqueued: { recordKey: string; inboxId: number }[];

  before(async () => {
    store = openStore({
      location: { kind: 'sqlite', file: ':memory:' },
      secretBox: createSecretBox(randomBytes(32)),
    });
    await store.migrate();
    app = createApp({
      version: '9.9.9',
      databaseKind: 'sqlite',
      log: pino({ level: 'silent' }),
      metrics: createMetrics(async () => []),
      database: store,
      settings: store.settings,
      events: store.events,
      ledger: { ...store, requeue: () => Promise.reject(new Error('not in these tests')) },
      jobs: { counts: async () => [], failed: async () => [] },
      webhooks: {
        verify: (raw, header) => verifyIntercomSignature(Buffer.from(raw), header, secret),
        store: async (event) => {
          const { event: stored, duplicate } = await store.inbox.add(event);
          return { id: stored.id, duplicate, processed: stored.processedAt !== null };
        },
        enqueue: async (recordKey, inboxId) => {
          enqueued.push({ recordKey, inboxId });
        },
      },
      isAdminToken: () => false,
    });
  });
  beforeEach(() => {
    enqueued = [];
  });
  after(() => store.close());

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    app.request('/webhooks/intercom', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });
  const errorCode = async (response: Response) =>
    ((await response.json()) as { error: { code: string } }).error.code;

  it('stores a signed contact notification, queues its record and answers 200 without the admin token', async () => {
    const body = notification('notif_1', 'c-1');
    const response = await post(body, { 'X-Hub-Signature': sign(body) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { received: true, duplicate: false });
    const [stored] = await store.inbox.pending({ recordKey: 'intercom:contact:c-1' });
    assert.equal(stored?.eventId, 'notif_1');
    assert.equal(stored?.topic, 'contact.user.updated');
    assert.equal(stored?.body, body);
    assert.deepEqual(enqueued, [{ recordKey: 'intercom:contact:c-1', inboxId: stored!.id }]);
  });

  it('verifies the bytes as sent, not JSON serialised again', async () => {
    // Spacing, key order and a unicode escape that JSON.stringify(JSON.parse(…)) would change.
    const body = `{ "topic":"contact.lead.created",  "type":"notification_event", "app_id":"abc",
      "id":"notif_bytes", "created_at":1763726400,
      "data":{"item":{"type":"contact","id":"c-bytes","name":"Ren\\u00e9e"}} }`;
    const response = await post(body, { 'X-Hub-Signature': sign(body) });
    assert.equal(response.status, 200);
    const [stored] = await store.inbox.pending({ recordKey: 'intercom:contact:c-bytes' });
    assert.equal(stored?.body, body);
  });

  it('accepts the recorded Intercom deliveries of contact topics, tag events included', async () => {
    for (const [name, contactId] of [
      ['contact.user.created', undefined],
      ['contact.lead.created', undefined],
      ['contact.lead.tag.created', '6961d897719c606240178da8'],
    ] as const) {
      const body = fixture(name);
      const response = await post(body, { 'X-Hub-Signature': sign(body) });
      assert.equal(response.status, 200, name);
      const json = JSON.parse(body.toString()) as { data: { item: { id?: string } } };
      const expected = `intercom:contact:${contactId ?? json.data.item.id}`;
      assert.equal(enqueued.at(-1)?.recordKey, expected, name);
    }
  });

  it('refuses a missing or wrong signature with 401 and stores nothing', async () => {
    const body = notification('notif_unsigned', 'c-unsigned');
    for (const headers of [
      {},
      { 'X-Hub-Signature': sign(body, 'another-secret') },
      { 'X-Hub-Signature': sign(`${body} `) },
      { 'X-Hub-Signature': 'sha1=nothex' },
    ]) {
      const response = await post(body, headers);
      assert.equal(response.status, 401);
      assert.equal(await errorCode(response), 'invalid_signature');
    }
    assert.deepEqual(await store.inbox.pending({ recordKey: 'intercom:contact:c-unsigned' }), []);
    assert.deepEqual(enqueued, []);
  });

  it('refuses malformed JSON and a body that is not a notification with 400', async () => {
    const malformed = '{"type":"notification_event",';
    const notJson = await post(malformed, { 'X-Hub-Signature': sign(malformed) });
    assert.equal(notJson.status, 400);
    assert.equal(await errorCode(notJson), 'invalid_json');
    const wrong = JSON.stringify({ type: 'something_else', topic: 'contact.user.updated' });
    const notNotification = await post(wrong, { 'X-Hub-Signature': sign(wrong) });
    assert.equal(notNotification.status, 400);
    const body = (await notNotification.json()) as {
      error: { code: string; details: { fields: string[] } };
    };
    assert.equal(body.error.code, 'invalid_notification');
    assert.ok(body.error.details.fields.includes('type'));
    assert.deepEqual(enqueued, []);
  });

  it('refuses a body over the limit with 413, before reading it as a notification', async () => {
    const big = Buffer.alloc(webhookBodyLimit + 1, 0x20);
    const response = await post(big, { 'X-Hub-Signature': sign(big) });
    assert.equal(response.status, 413);
    assert.equal(await errorCode(response), 'payload_too_large');
  });

  it('stores a repeated delivery once and answers it 200', async () => {
    const body = notification('notif_dup', 'c-dup');
    const first = await post(body, { 'X-Hub-Signature': sign(body) });
    const retried = notification('notif_dup', 'c-dup').replace(
      '"delivery_attempts":1',
      '"delivery_attempts":2',
    );
    const again = await post(retried, { 'X-Hub-Signature': sign(retried) });
    assert.equal(first.status, 200);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { received: true, duplicate: true });
    assert.equal((await store.inbox.pending({ recordKey: 'intercom:contact:c-dup' })).length, 1);
  });

  it('does not queue a duplicate of an event already processed', async () => {
    const body = notification('notif_done', 'c-done');
    await post(body, { 'X-Hub-Signature': sign(body) });
    const [stored] = await store.inbox.pending({ recordKey: 'intercom:contact:c-done' });
    await store.inbox.markProcessed([stored!.id]);
    enqueued = [];
    const again = await post(body, { 'X-Hub-Signature': sign(body) });
    assert.equal(again.status, 200);
    assert.deepEqual(enqueued, []);
  });

  it('answers the ping topic 200 and stores nothing', async () => {
    const body = fixture('ping');
    const response = await post(body, { 'X-Hub-Signature': sign(body) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { received: true, topic: 'ping' });
    assert.deepEqual(enqueued, []);
  });

  it('acknowledges a topic about no contact without storing it', async () => {
    const body = fixture('company.created');
    const response = await post(body, { 'X-Hub-Signature': sign(body) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { received: true, ignored: true });
    assert.deepEqual(enqueued, []);
  });

  it('answers well inside Intercom’s 5 s', async () => {
    const started = performance.now();
    for (let n = 0; n < 20; n++) {
      const body = notification(`notif_fast_${n}`, `c-fast-${n % 3}`);
      assert.equal((await post(body, { 'X-Hub-Signature': sign(body) })).status, 200);
    }
    assert.ok((performance.now() - started) / 20 < 250);
  });
});
