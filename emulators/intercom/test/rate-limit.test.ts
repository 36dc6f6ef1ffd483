import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { IntercomClient } from 'intercom-client';
import {
  assertNoSchemaFailures,
  failure,
  startHarness,
  validatingFetch,
  type Harness,
} from './harness.ts';

describe('rate limits', () => {
  let h: Harness;
  before(async () => {
    // 60 a minute = 10 per 10-second window.
    h = await startHarness({ rateLimitPerMinute: 60 });
  });
  after(async () => {
    await h.close();
    assertNoSchemaFailures();
  });

  it('answers 429 rate_limit_exceeded past the 10-second share of the per-minute limit, which the SDK retries by itself after X-RateLimit-Reset', async () => {
    // Start late in a window so that the SDK's wait for the next one stays short.
    const intoWindow = Date.now() % 10_000;
    if (intoWindow < 7_000 || intoWindow > 8_500) await sleep((17_500 - intoWindow) % 10_000);
    const remaining: number[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await h.api('GET', '/admins');
      assert.equal(response.status, 200);
      remaining.push(Number(response.headers.get('x-ratelimit-remaining')));
    }
    assert.deepEqual(remaining, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const refused = await h.api('GET', '/admins');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.errors[0].code, 'rate_limit_exceeded');
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');

    const noRetry = await failure(h.client.admins.list());
    assert.equal(noRetry.statusCode, 429);

    const retrying = new IntercomClient({
      token: h.emu.credentials.accessToken,
      environment: h.url,
      maxRetries: 2,
      fetch: validatingFetch as typeof fetch,
    });
    const started = Date.now();
    const admins = await retrying.admins.list();
    assert.equal(admins.type, 'admin.list');
    assert.ok(Date.now() - started >= 500, 'the SDK waited for the next window');
    const stats = await h.control('GET', '/stats');
    assert.ok(stats.rate_limited >= 3);
  });
});
