import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseIntercomNotification, toUnixSeconds, verifyIntercomSignature } from './webhooks.ts';

// Recorded notifications (zulip fixtures and a docs example), kept beside the Intercom emulator.
const fixtures = new URL('../../../emulators/intercom/fixtures/webhooks/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, fixtures));

/** An HMAC computed here, independently of the code under test. */
const sign = (secret: string, body: Buffer): string =>
  `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;

describe('verifyIntercomSignature', () => {
  const body = fixture('contact.user.created.json');

  it('accepts the published test vector for the recorded contact.user.created body', () => {
    assert.equal(
      verifyIntercomSignature(
        body,
        'sha1=c9229ba5f3dd26e1c2b663eaa5c81b82bf97a936',
        'test_client_secret',
      ),
      true,
    );
  });

  it('accepts a signature computed independently over the raw bytes', () => {
    assert.equal(verifyIntercomSignature(body, sign('s3cret', body), 's3cret'), true);
    assert.equal(
      verifyIntercomSignature(
        body,
        sign('s3cret', body).toUpperCase().replace('SHA1=', 'sha1='),
        's3cret',
      ),
      true,
    );
  });

  it('refuses the same JSON re-serialised, since only the bytes received were signed', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString())));
    assert.equal(verifyIntercomSignature(reserialised, sign('s3cret', body), 's3cret'), false);
  });

  it('refuses another secret, a changed byte, a missing or malformed header', () => {
    const header = sign('s3cret', body);
    assert.equal(verifyIntercomSignature(body, header, 'other'), false);
    const tampered = Buffer.from(body);
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    assert.equal(verifyIntercomSignature(tampered, header, 's3cret'), false);
    assert.equal(verifyIntercomSignature(body, undefined, 's3cret'), false);
    assert.equal(verifyIntercomSignature(body, '', 's3cret'), false);
    assert.equal(
      verifyIntercomSignature(body, header.replace('sha1=', 'sha256='), 's3cret'),
      false,
    );
    assert.equal(verifyIntercomSignature(body, header.slice(0, -2), 's3cret'), false);
    assert.equal(verifyIntercomSignature(body, header, ''), false);
  });
});

describe('parseIntercomNotification', () => {
  it('parses every recorded notification', () => {
    const names = readdirSync(fixtures).filter((n) => n.endsWith('.json'));
    assert.ok(names.length >= 5);
    for (const name of names) {
      const parsed = parseIntercomNotification(fixture(name));
      assert.ok(parsed.ok, `${name}: ${JSON.stringify(parsed)}`);
      assert.equal(parsed.value.type, 'notification_event');
      assert.ok(parsed.value.topic.length > 0);
      assert.equal(typeof parsed.value.data.item.type, 'string');
    }
  });

  it('reads topic, item, id, created_at and delivery attempts', () => {
    const parsed = parseIntercomNotification(fixture('contact.user.created.json'));
    assert.ok(parsed.ok);
    const n = parsed.value;
    assert.equal(n.topic, 'contact.user.created');
    assert.equal(n.data.item.type, 'contact');
    assert.equal(n.data.item.id, '6961d4041c1e12de4c5499cc');
    assert.match(n.id ?? '', /^notif_/);
    assert.equal(typeof n.created_at, 'number');
    assert.equal(n.delivery_attempts, 1);
  });

  it('answers validation malformed_json for a body that is not JSON', () => {
    const parsed = parseIntercomNotification(Buffer.from('{"type":'));
    assert.ok(!parsed.ok && parsed.error.code === 'validation');
    assert.equal(parsed.error.errorCode, 'malformed_json');
  });

  it('answers validation invalid_notification naming the fields that are wrong', () => {
    const parsed = parseIntercomNotification({
      type: 'notification_event',
      app_id: 'a',
      id: 'notif_1',
      created_at: 'yesterday',
      data: {},
    });
    assert.ok(!parsed.ok && parsed.error.code === 'validation');
    assert.equal(parsed.error.errorCode, 'invalid_notification');
    assert.deepEqual([...parsed.error.fields].sort(), ['created_at', 'data.item', 'topic']);
  });

  it('reads webhook timestamps given as ISO strings or as UNIX seconds', () => {
    assert.equal(toUnixSeconds('2026-01-10T04:22:28.240+00:00'), 1_768_018_948);
    assert.equal(toUnixSeconds(1_768_018_948), 1_768_018_948);
    assert.equal(toUnixSeconds('not a date'), undefined);
    assert.equal(toUnixSeconds(null), undefined);
  });
});
