import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jsforce from 'jsforce';
import { failure, startHarness, type Harness } from './helpers.ts';

describe('OAuth', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('logs jsforce in with the password flow and answers the identity URL jsforce parses', async () => {
    const conn = await h.connect();
    assert.equal(conn.instanceUrl, h.url);
    assert.match(conn.userInfo?.id ?? '', /^005[a-zA-Z0-9]{15}$/);
    assert.match(conn.userInfo?.organizationId ?? '', /^00D[a-zA-Z0-9]{15}$/);
    const identity = await conn.identity();
    assert.equal(identity.username, 'admin@tandem.test');
    assert.equal(identity.user_id, conn.userInfo?.id);
  });

  it('answers invalid_grant authentication failure for a wrong password', async () => {
    const conn = new jsforce.Connection({
      loginUrl: h.url,
      version: '59.0',
      oauth2: { clientId: 'tandem-dev-client', clientSecret: 'tandem-dev-secret', loginUrl: h.url },
    });
    const e = await failure(conn.login('admin@tandem.test', 'wrong'));
    assert.equal(e.name, 'invalid_grant');
    assert.equal(e.message, 'authentication failure');
  });

  it('answers a token response with every key Salesforce sends', async () => {
    const res = await fetch(`${h.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'tandem-dev-client',
        client_secret: 'tandem-dev-secret',
        username: 'admin@tandem.test',
        password: 'tandem-dev-password',
      }),
    });
    const body = (await res.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), [
      'access_token',
      'id',
      'instance_url',
      'issued_at',
      'scope',
      'signature',
      'token_type',
    ]);
    assert.equal(body['token_type'], 'Bearer');
    assert.match(
      body['id'] ?? '',
      new RegExp(`^${h.url}/id/00D[a-zA-Z0-9]{15}/005[a-zA-Z0-9]{15}$`),
    );
  });

  it('answers 401 INVALID_SESSION_ID for an expired token and jsforce refreshes by itself', async () => {
    const conn = await h.connect();
    const before = conn.accessToken;
    let refreshed = 0;
    conn.on('refresh', () => refreshed++);
    const expired = await h.control('expire-tokens', {});
    assert.ok(expired.body.expired >= 1);
    const raw = await fetch(`${h.url}/services/data/v59.0/limits`, {
      headers: { authorization: `Bearer ${before}` },
    });
    assert.equal(raw.status, 401);
    assert.deepEqual(await raw.json(), [
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
    const created = await conn.sobject('Account').create({ Name: 'After expiry' });
    assert.equal(created.success, true);
    assert.equal(refreshed, 1);
    assert.notEqual(conn.accessToken, before);
  });

  it('expires tokens after the configured lifetime', async () => {
    // Long enough that the refreshed token outlives the replayed request on a busy machine.
    const short = await startHarness({ tokenTtlMs: 1000 });
    try {
      const conn = await short.connect();
      let refreshed = 0;
      conn.on('refresh', () => refreshed++);
      await new Promise((r) => setTimeout(r, 1100));
      const q = await conn.query('SELECT Id FROM User');
      assert.equal(q.totalSize, 1);
      assert.equal(refreshed, 1);
    } finally {
      await short.close();
    }
  });

  it('runs the web-server flow: consent page, approval, code exchange, refresh token', async () => {
    const oauth2 = new jsforce.OAuth2({
      clientId: 'tandem-dev-client',
      clientSecret: 'tandem-dev-secret',
      redirectUri: 'http://localhost:9999/callback',
      loginUrl: h.url,
    });
    const authorizeUrl = oauth2.getAuthorizationUrl({ state: 'xyz', scope: 'api refresh_token' });
    const page = await fetch(authorizeUrl);
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(html, /Allow Access\?/);
    assert.match(html, /value="approve"/);
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      form.set(
        m[1] as string,
        (m[2] as string).replace(/&#(\d+);/g, (_x, c: string) => String.fromCharCode(Number(c))),
      );
    form.set('action', 'approve');
    const approved = await fetch(`${h.url}/services/oauth2/authorize`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(approved.status, 302);
    const location = new URL(approved.headers.get('location') ?? '');
    assert.equal(location.origin + location.pathname, 'http://localhost:9999/callback');
    assert.equal(location.searchParams.get('state'), 'xyz');
    const code = location.searchParams.get('code') ?? '';
    const conn = new jsforce.Connection({ oauth2, version: '59.0' });
    const info = await conn.authorize(code);
    assert.match(info.id, /^005/);
    assert.ok(conn.refreshToken);
    assert.equal((await conn.query('SELECT Id FROM User')).totalSize, 1);
    // The code is single-use.
    const again = await failure(
      new jsforce.Connection({ oauth2, version: '59.0' }).authorize(code),
    );
    assert.equal(again.name, 'invalid_grant');
    // A connection holding only the refresh token gets a fresh access token on its own.
    const fresh = new jsforce.Connection({
      oauth2,
      version: '59.0',
      instanceUrl: h.url,
      accessToken: 'stale',
      refreshToken: conn.refreshToken as string,
    });
    assert.equal((await fresh.query('SELECT Id FROM User')).totalSize, 1);
    assert.notEqual(fresh.accessToken, 'stale');
  });

  it('checks the PKCE verifier jsforce sends with useVerifier', async () => {
    const oauth2 = new jsforce.OAuth2({
      clientId: 'tandem-dev-client',
      clientSecret: 'tandem-dev-secret',
      redirectUri: 'http://localhost:9999/pkce',
      loginUrl: h.url,
      useVerifier: true,
    });
    const approve = async (): Promise<string> => {
      const authorizeUrl = new URL(oauth2.getAuthorizationUrl({ state: 'p' }));
      assert.ok(authorizeUrl.searchParams.get('code_challenge'));
      const form = new URLSearchParams(authorizeUrl.searchParams);
      form.set('action', 'approve');
      const res = await fetch(`${h.url}/services/oauth2/authorize`, {
        method: 'POST',
        body: form,
        redirect: 'manual',
      });
      return new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    };
    const conn = new jsforce.Connection({ oauth2, version: '59.0' });
    await conn.authorize(await approve());
    assert.equal((await conn.query('SELECT Id FROM User')).totalSize, 1);
    await conn.logout();
    const revoked = await fetch(`${h.url}/services/data/v59.0/limits`, {
      headers: { authorization: `Bearer ${conn.accessToken}` },
    });
    assert.equal(revoked.status, 401);
    // A code redeemed with another verifier is refused.
    const code = await approve();
    const other = await fetch(`${h.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: 'tandem-dev-client',
        client_secret: 'tandem-dev-secret',
        redirect_uri: 'http://localhost:9999/pkce',
        code_verifier: 'wrong',
      }),
    });
    assert.deepEqual(await other.json(), {
      error: 'invalid_grant',
      error_description: 'invalid code verifier',
    });
  });

  it('redirects with access_denied when the user denies', async () => {
    const form = new URLSearchParams({
      client_id: 'tandem-dev-client',
      redirect_uri: 'http://localhost:9999/cb',
      state: 's1',
      action: 'deny',
    });
    const res = await fetch(`${h.url}/services/oauth2/authorize`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), 's1');
  });

  it('keeps at most five refresh tokens per user and client, revoking the oldest', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 6; i++) {
      const form = new URLSearchParams({
        client_id: 'tandem-dev-client',
        redirect_uri: 'http://localhost:9999/cb',
        action: 'approve',
      });
      const res = await fetch(`${h.url}/services/oauth2/authorize`, {
        method: 'POST',
        body: form,
        redirect: 'manual',
      });
      const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
      const token = await fetch(`${h.url}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          client_id: 'tandem-dev-client',
          client_secret: 'tandem-dev-secret',
          redirect_uri: 'http://localhost:9999/cb',
        }),
      });
      tokens.push(((await token.json()) as { refresh_token: string }).refresh_token);
    }
    const refresh = async (token: string) =>
      fetch(`${h.url}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: token,
          client_id: 'tandem-dev-client',
          client_secret: 'tandem-dev-secret',
        }),
      });
    const oldest = await refresh(tokens[0] as string);
    assert.equal(oldest.status, 400);
    assert.deepEqual(await oldest.json(), {
      error: 'invalid_grant',
      error_description: 'expired access/refresh token',
    });
    for (const token of tokens.slice(1)) assert.equal((await refresh(token)).status, 200);
  });

  it('revokes a token and answers userinfo for a live one', async () => {
    const conn = await h.connect();
    const info = await fetch(`${h.url}/services/oauth2/userinfo`, {
      headers: { authorization: `Bearer ${conn.accessToken}` },
    });
    const body = (await info.json()) as Record<string, unknown>;
    assert.equal(body['preferred_username'], 'admin@tandem.test');
    assert.equal(body['user_id'], conn.userInfo?.id);
    const revoked = await fetch(`${h.url}/services/oauth2/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: conn.accessToken as string }),
    });
    assert.equal(revoked.status, 200);
    const after = await fetch(`${h.url}/services/data/v59.0/limits`, {
      headers: { authorization: `Bearer ${conn.accessToken}` },
    });
    assert.equal(after.status, 401);
  });

  it('issues a token for the client-credentials flow', async () => {
    const res = await fetch(`${h.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'tandem-dev-client',
        client_secret: 'tandem-dev-secret',
      }),
    });
    assert.equal(res.status, 200);
    const bad = await fetch(`${h.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'tandem-dev-client',
        client_secret: 'nope',
      }),
    });
    assert.deepEqual(await bad.json(), {
      error: 'invalid_client',
      error_description: 'invalid client credentials',
    });
  });
});
