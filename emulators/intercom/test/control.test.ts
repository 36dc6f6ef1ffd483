import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IntercomClient } from 'intercom-client';
import { customerNumber, sharedAdminEmails } from '../index.ts';
import { demoWorkspace } from '../seed.ts';
import { serialise } from '../state-file.ts';
import {
  assertNoSchemaFailures,
  failure,
  startHarness,
  validatingFetch,
  type Harness,
} from './harness.ts';

describe('the control plane', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      seed: 'demo',
      demoSize: { contacts: 30, companies: 3, conversations: 5 },
    });
  });
  after(async () => {
    await h.close();
    assertNoSchemaFailures();
  });

  it('injects a status for a method and path pattern a number of times, in the error envelope', async () => {
    await h.control('POST', '/faults', {
      method: 'GET',
      path: '/contacts/*',
      status: 503,
      times: 2,
    });
    const contact = await h.client.contacts.create({ email: 'faulty@example.com' });
    for (let i = 0; i < 2; i++) {
      const error = await failure(h.client.contacts.find({ contact_id: contact.id }));
      assert.equal(error.statusCode, 503);
      assert.equal(error.body.type, 'error.list');
    }
    assert.equal((await h.client.contacts.find({ contact_id: contact.id })).id, contact.id);
    assert.deepEqual((await h.control('GET', '/faults')).faults, []);
  });

  it('never injects a fault whose probability is 0, always one whose probability is 1', async () => {
    await h.control('POST', '/faults', { path: '/admins', status: 500, probability: 0 });
    assert.equal((await h.api('GET', '/admins')).status, 200);
    await h.control('DELETE', '/faults');
    await h.control('POST', '/faults', { path: '/admins', status: 500, probability: 1 });
    assert.equal((await h.api('GET', '/admins')).status, 500);
    await h.control('DELETE', '/faults');
  });

  it('adds latency to every call, or through a fault to matching calls', async () => {
    await h.control('PUT', '/settings', { latencyMs: 150 });
    let started = performance.now();
    await h.api('GET', '/admins');
    assert.ok(performance.now() - started >= 145);
    await h.control('PUT', '/settings', { latencyMs: 0 });
    await h.control('POST', '/faults', { path: '/teams', latencyMs: 150, times: 1 });
    started = performance.now();
    assert.equal((await h.api('GET', '/teams')).status, 200);
    assert.ok(performance.now() - started >= 145);
  });

  it('sets the rate limit', async () => {
    const settings = await h.control('PUT', '/settings', { rateLimitPerMinute: 600 });
    assert.equal(settings.rateLimitPerMinute, 600);
    assert.equal((await h.api('GET', '/admins')).headers.get('x-ratelimit-limit'), '600');
    await h.control('PUT', '/settings', { rateLimitPerMinute: 10_000 });
  });

  it('refuses invalid control requests with a clear error', async () => {
    const response = await fetch(`${h.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/x', status: 200 }),
    });
    assert.equal(response.status, 400);
  });

  it('dumps contacts, companies and conversations', async () => {
    const contacts = await h.control('GET', '/contacts');
    const companies = await h.control('GET', '/companies');
    const conversations = await h.control('GET', '/conversations');
    assert.equal(contacts.total_count, h.emu.emulator.ws.contacts.size);
    assert.equal(companies.total_count, 3);
    assert.equal(conversations.total_count, 5);
    assert.ok(conversations.data[0].conversation_parts);
  });

  it('counts calls by endpoint', async () => {
    const before = (await h.control('GET', '/stats')).calls['GET /teams'] ?? 0;
    await h.client.teams.list();
    await h.client.teams.list();
    const stats = await h.control('GET', '/stats');
    assert.equal(stats.calls['GET /teams'], before + 2);
    assert.equal(typeof stats.webhooks_delivered, 'number');
  });

  it('resets to the starting seed and reseeds on demand', async () => {
    await h.client.contacts.create({ email: 'temporary@example.com' });
    await h.control('POST', '/reset');
    assert.equal(h.emu.emulator.ws.contacts.size, 30);
    const seeded = await h.control('POST', '/seed', { seed: 'empty' });
    assert.equal(seeded.contacts, 0);
    assert.equal((await h.client.admins.list()).admins?.length, 1);
    await h.control('POST', '/seed', {
      seed: 'demo',
      contacts: 30,
      companies: 3,
      conversations: 5,
    });
  });

  it('consents at /oauth by redirecting with a code and the state, like app.intercom.com/oauth', async () => {
    const response = await fetch(
      `${h.url}/oauth?client_id=tandem-dev-client&state=xyz&redirect_uri=${encodeURIComponent('https://tandem.example/callback')}`,
      { redirect: 'manual' },
    );
    assert.equal(response.status, 302);
    const location = new URL(response.headers.get('location') ?? '');
    assert.equal(location.origin + location.pathname, 'https://tandem.example/callback');
    assert.equal(location.searchParams.get('state'), 'xyz');
    const exchanged = await validatingFetch(`${h.url}/auth/eagle/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code: location.searchParams.get('code'),
        client_id: 'tandem-dev-client',
        client_secret: 'tandem-dev-secret',
      }),
    });
    assert.equal(exchanged.status, 200);
    const unknown = await fetch(`${h.url}/oauth?client_id=other&redirect_uri=https://x.example`, {
      redirect: 'manual',
    });
    assert.equal(unknown.status, 400);
  });

  it('exchanges an OAuth code for a token the API accepts, as /auth/eagle/token answers', async () => {
    const { code } = await h.control('POST', '/oauth/codes');
    const response = await validatingFetch(`${h.url}/auth/eagle/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        code,
        client_id: 'tandem-dev-client',
        client_secret: 'tandem-dev-secret',
      }).toString(),
    });
    assert.equal(response.status, 200);
    const token = (await response.json()) as {
      token_type: string;
      token: string;
      access_token: string;
    };
    assert.equal(token.token_type, 'Bearer');
    assert.equal(token.access_token, token.token);
    assert.match(Buffer.from(token.token, 'base64').toString(), /^tok:/);
    const client = new IntercomClient({
      token: token.token,
      environment: h.url,
      maxRetries: 0,
      fetch: validatingFetch as typeof fetch,
    });
    assert.equal((await client.admins.identify())?.type, 'admin');
    const reused = await validatingFetch(`${h.url}/auth/eagle/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code,
        client_id: 'tandem-dev-client',
        client_secret: 'tandem-dev-secret',
      }),
    });
    assert.equal(reused.status, 401);
    assert.equal(
      ((await reused.json()) as { errors: { message: string }[] }).errors[0]?.message,
      'Unauthorized Code',
    );
  });
});

describe('the demo seed', () => {
  it('is deterministic', () => {
    assert.equal(
      [...serialise(demoWorkspace({ contacts: 300 }))].join('\n'),
      [...serialise(demoWorkspace({ contacts: 300 }))].join('\n'),
    );
  });

  it('has 10 admins (some sharing Salesforce demo e-mails), 3 teams, about 2,000 contacts and 300 companies with contacts', () => {
    const ws = demoWorkspace();
    const admins = [...ws.admins.values()];
    assert.equal(admins.length, 10);
    for (const email of sharedAdminEmails) assert.ok(admins.some((a) => a.email === email));
    assert.equal(ws.teams.size, 3);
    assert.equal(ws.contacts.size, 2000);
    const contacts = [...ws.contacts.values()];
    const users = contacts.filter((c) => c.role === 'user');
    const leads = contacts.filter((c) => c.role === 'lead');
    assert.ok(users.length > 1000 && leads.length > 300);
    assert.ok(users.filter((u) => u.external_id?.startsWith('CN-')).length > 1000);
    assert.ok(ws.contactByExternalId(customerNumber(1)) !== undefined);
    const userEmails = new Set(users.map((u) => u.email));
    assert.ok(
      leads.some((l) => l.email !== null && userEmails.has(l.email)),
      'some leads share an e-mail with a user',
    );
    assert.equal(ws.companies.size, 300);
    for (const company of ws.companies.values())
      assert.ok(ws.userCount(company.id) > 0, company.company_id);
    assert.ok(ws.dataAttributes.size >= 5 && ws.tags.size >= 5);
  });
});

describe('the state file', () => {
  it('keeps the workspace across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intercom-emulator-'));
    const stateFile = join(dir, 'state.json');
    try {
      const first = await startHarness({ stateFile });
      const contact = await first.client.contacts.create({
        email: 'persisted@example.com',
        external_id: 'CN-keep',
      });
      await first.close();
      const second = await startHarness({ stateFile });
      try {
        const found = await second.client.contacts.showContactByExternalId({
          external_id: 'CN-keep',
        });
        assert.equal(found.id, contact.id);
        const next = await second.client.contacts.create({ email: 'after-restart@example.com' });
        assert.notEqual(next.id, contact.id);
        await second.control('POST', '/save');
      } finally {
        await second.close();
      }
      // A state file is also a seed.
      const seeded = await startHarness({ seed: stateFile });
      try {
        const found = await seeded.client.contacts.search({
          query: {
            field: 'email',
            operator: 'IN',
            value: ['persisted@example.com', 'after-restart@example.com'],
          },
        });
        assert.equal(found.data.length, 2);
      } finally {
        await seeded.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
