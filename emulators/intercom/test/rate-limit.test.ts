import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { IntercomClient } from 'intercom-client';
import {
  assertNoSchemaFailures,
  startHarness,
  validatingFetch,
  type Harness,
  type Json,
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
    let refused: { status: number; body: Json; headers: Headers } | undefined;
    for (let i = 0; i < 25 && refused === undefined; i++) {
      const response = await h.api('GET', '/admins');
      if (response.status === 429) refused = response;
      else remaining.push(Number(response.headers.get('x-ratelimit-remaining')));
    }
    assert.ok(refused, 'a 429 after at most 10 calls in a window');
    // Within the window that ended in the 429, the budget went down one call at a time to 0.
    assert.deepEqual(remaining.slice(-3), [2, 1, 0]);
    assert.ok(remaining.length <= 20);
    assert.equal(refused.body.errors[0].code, 'rate_limit_exceeded');
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(refused.headers.get('x-ratelimit-limit'), '60');

    // With retries off, the SDK surfaces the 429 (unless the window rolled over meanwhile).
    let surfaced = false;
    for (let attempt = 0; attempt < 3 && !surfaced; attempt++) {
      while ((await h.api('GET', '/admins')).status !== 429);
      try {
        await h.client.admins.list();
      } catch (error) {
        assert.equal((error as { statusCode?: number }).statusCode, 429);
        surfaced = true;
      }
    }
    assert.ok(surfaced, 'the SDK without retries surfaced the 429');

    const retrying = new IntercomClient({
      token: h.emu.credentials.accessToken,
      environment: h.url,
      maxRetries: 2,
      fetch: validatingFetch as typeof fetch,
    });
    // Exhaust the window, then let the SDK hit the 429 and wait for the next window by itself
    // (again if the window happened to roll over between the two, on a loaded machine).
    for (let attempt = 0; attempt < 3; attempt++) {
      while ((await h.api('GET', '/admins')).status !== 429);
      const before = (await h.control('GET', '/stats')).rate_limited;
      const admins = await retrying.admins.list();
      assert.equal(admins.type, 'admin.list');
      const after = (await h.control('GET', '/stats')).rate_limited;
      if (after > before) return;
    }
    assert.fail('the SDK never met the 429 it should have retried');
  });

  it('gives the public app (OAuth tokens) a budget of its own', async () => {
    const { code } = await h.control('POST', '/oauth/codes');
    const exchange = await validatingFetch(`${h.url}/auth/eagle/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code,
        client_id: 'tandem-dev-client',
        client_secret: 'tandem-dev-secret',
      }),
    });
    const { token } = (await exchange.json()) as { token: string };
    while ((await h.api('GET', '/admins')).status !== 429);
    const asPublicApp = await h.api('GET', '/admins', undefined, {
      authorization: `Bearer ${token}`,
    });
    assert.equal(asPublicApp.status, 200);
    assert.ok(Number(asPublicApp.headers.get('x-ratelimit-remaining')) >= 7);
  });
});
