import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import {
  createIntercomConnector,
  exchangeIntercomCode,
  intercomAuthorizationUrl,
  parseIntercomNotification,
  verifyIntercomSignature,
  type IntercomConnector,
  type IntercomContact,
} from '../../src/connectors/intercom/index.ts';
import type { ConnectorError, Result } from '../../src/connectors/result.ts';

function failure<T>(result: Result<T>): ConnectorError {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as { ok: false; error: ConnectorError }).error;
}

function value<T>(result: Result<T> | undefined): T {
  assert.ok(result, 'expected a result');
  if (!result.ok) assert.fail(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

async function all(pages: AsyncIterable<Result<IntercomContact[]>>): Promise<IntercomContact[]> {
  const contacts: IntercomContact[] = [];
  for await (const page of pages) contacts.push(...value(page));
  return contacts;
}

const day = 86_400_000;
// 2026-03-10 09:00 UTC: the emulator's clock, moved by the tests.
let clock = Date.UTC(2026, 2, 10, 9, 0, 0);

describe('Intercom connector', () => {
  let emu: IntercomEmulator;
  let ic: IntercomConnector;
  const control = async (path: string, body?: unknown, method?: string) => {
    const res = await fetch(`${emu.url}/__emulator${path}`, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as unknown;
  };

  before(async () => {
    emu = await startIntercomEmulator({
      port: 0,
      seed: 'demo',
      demoSize: { contacts: 30, companies: 5, conversations: 0 },
      clock: () => clock,
    });
    ic = createIntercomConnector({
      baseUrl: emu.url,
      accessToken: emu.credentials.accessToken,
      now: () => clock,
    });
  });
  after(async () => {
    await emu.close();
  });

  it('answers the admin and workspace behind the token', async () => {
    const me = value(await ic.me());
    assert.equal(me.type, 'admin');
    assert.ok(me.email.includes('@'));
  });

  it('creates a contact, finds it by id and by external id, and updates it', async () => {
    const created = value(
      await ic.createContact({
        role: 'user',
        external_id: 'ext-create-1',
        email: 'create1@example.test',
        name: 'Create One',
        custom_attributes: { plan: 'pro' },
      }),
    );
    assert.equal(created.role, 'user');
    assert.equal(value(await ic.findContact(created.id)).email, 'create1@example.test');
    assert.equal(value(await ic.findContactByExternalId('ext-create-1')).id, created.id);
    const updated = value(await ic.updateContact(created.id, { name: 'Renamed', phone: null }));
    assert.equal(updated.name, 'Renamed');
    assert.equal(updated.custom_attributes['plan'], 'pro');
  });

  it('archives and deletes contacts, which then answer not_found', async () => {
    const archived = value(await ic.createContact({ role: 'lead', email: 'arch@example.test' }));
    assert.equal(value(await ic.archiveContact(archived.id)).archived, true);
    assert.equal(failure(await ic.findContact(archived.id)).code, 'not_found');
    const deleted = value(await ic.createContact({ role: 'lead', email: 'del@example.test' }));
    assert.deepEqual(value(await ic.deleteContact(deleted.id)), {
      type: 'contact',
      id: deleted.id,
      external_id: null,
      deleted: true,
    });
    assert.equal(failure(await ic.deleteContact(deleted.id)).code, 'not_found');
  });

  it('answers conflict with the id of the contact that already matches', async () => {
    const first = value(
      await ic.createContact({ role: 'user', external_id: 'ext-dup', email: 'dup@example.test' }),
    );
    const error = failure(
      await ic.createContact({ role: 'user', external_id: 'ext-dup', email: 'dup@example.test' }),
    );
    assert.ok(error.code === 'conflict');
    assert.equal(error.status, 409);
    assert.equal(error.existingId, first.id);
  });

  it('answers validation with the code and message of a refused attribute', async () => {
    const error = failure(
      await ic.createContact({
        role: 'lead',
        email: 'attr@example.test',
        custom_attributes: { no_such_attribute: 'x' },
      }),
    );
    assert.ok(error.code === 'validation');
    assert.equal(error.errorCode, 'parameter_invalid');
    assert.match(error.message, /no_such_attribute/);
  });

  it('answers not_found for an unknown contact and an unknown external id', async () => {
    assert.equal(failure(await ic.findContact('000000000000000000000000')).code, 'not_found');
    assert.equal(failure(await ic.findContactByExternalId('nobody')).code, 'not_found');
  });

  it('lists every contact page by page', async () => {
    const contacts = await all(ic.listContacts({ perPage: 7 }));
    const ids = new Set(contacts.map((c) => c.id));
    assert.equal(ids.size, contacts.length);
    assert.ok(contacts.length >= 30, `listed ${contacts.length}`);
  });

  it('searches with a filter across pages', async () => {
    const found = await all(
      ic.searchContacts({ field: 'role', operator: '=', value: 'lead' }, { perPage: 3 }),
    );
    assert.ok(found.length > 3);
    assert.ok(found.every((c) => c.role === 'lead'));
  });

  it('finds a change made later on the same day, which a plain updated_at > since search misses', async () => {
    clock = Date.UTC(2026, 2, 11, 9, 0, 0);
    const early = value(await ic.createContact({ role: 'lead', email: 'early@example.test' }));
    const since = new Date(Date.UTC(2026, 2, 11, 10, 0, 0));
    clock = Date.UTC(2026, 2, 11, 15, 0, 0);
    const later = value(await ic.createContact({ role: 'lead', email: 'later@example.test' }));

    const plain = await all(
      ic.searchContacts({
        field: 'updated_at',
        operator: '>',
        value: Math.floor(since.getTime() / 1000),
      }),
    );
    assert.ok(!plain.some((c) => c.id === later.id), 'the plain search misses it (day semantics)');

    const swept = await all(ic.contactsUpdatedSince(since));
    assert.deepEqual(
      swept.map((c) => c.id),
      [later.id],
    );
    assert.ok(!swept.some((c) => c.id === early.id));
    // The day before is asked for, so a change just after midnight is not lost either.
    // One contact a page: the ascending sort holds across pages.
    const fromMidnight = await all(
      ic.contactsUpdatedSince(new Date(clock - (clock % day)), { perPage: 1 }),
    );
    assert.deepEqual(
      fromMidnight.map((c) => c.id),
      [early.id, later.id],
    );
  });

  it('lists and creates data attributes', async () => {
    const before = value(await ic.listDataAttributes('contact'));
    assert.ok(before.some((a) => a.name === 'plan' && a.custom));
    const created = value(
      await ic.createDataAttribute({
        name: 'salesforce_id',
        model: 'contact',
        data_type: 'string',
        description: 'Salesforce record id',
      }),
    );
    assert.equal(created.name, 'salesforce_id');
    const after = value(await ic.listDataAttributes('contact'));
    assert.ok(after.some((a) => a.name === 'salesforce_id'));
    const again = failure(
      await ic.createDataAttribute({
        name: 'salesforce_id',
        model: 'contact',
        data_type: 'string',
      }),
    );
    assert.equal(again.code, 'validation');
  });

  it('lists admins', async () => {
    const admins = value(await ic.listAdmins());
    assert.ok(admins.length >= 1);
    assert.ok(admins.every((a) => a.type === 'admin' && typeof a.id === 'string'));
  });

  it('finds a company by Intercom id and by company_id', async () => {
    const dump = (await control('/companies')) as { data: { id: string; company_id: string }[] };
    const company = dump.data[0];
    assert.ok(company);
    assert.equal(value(await ic.findCompany(company.id)).company_id, company.company_id);
    assert.equal(value(await ic.findCompanyByCompanyId(company.company_id)).id, company.id);
    assert.equal(failure(await ic.findCompanyByCompanyId('NO-SUCH')).code, 'not_found');
  });

  it('keeps the rate-limit headers of the last answer as a usage reading', async () => {
    const before = ic.usage().calls;
    value(await ic.listAdmins());
    const usage = ic.usage();
    assert.equal(usage.limit, 10_000);
    assert.ok(usage.remaining !== undefined && usage.remaining > 0);
    assert.ok(usage.resetAt !== undefined && usage.resetAt > clock && usage.resetAt <= clock + 1e4);
    assert.equal(usage.calls, before + 1);
  });

  it('answers rate_limited with the wait until X-RateLimit-Reset when another connector spent the window', async () => {
    await control('/settings', { rateLimitPerMinute: 6 }, 'PUT');
    try {
      clock = Date.UTC(2026, 2, 11, 16, 0, 3);
      // Two connectors with pacers of their own, as two processes would be; the second may not
      // wait (the emulator's clock stands still here, so its window would never end).
      const other = createIntercomConnector({
        baseUrl: emu.url,
        accessToken: emu.credentials.accessToken,
        now: () => clock,
      });
      const late = createIntercomConnector({
        baseUrl: emu.url,
        accessToken: emu.credentials.accessToken,
        now: () => clock,
        pacing: { maxWaitMs: 0 },
      });
      value(await other.listAdmins());
      const error = failure(await late.listAdmins());
      assert.ok(error.code === 'rate_limited');
      assert.equal(error.status, 429);
      assert.equal(error.upstreamCode, 'rate_limit_exceeded');
      assert.equal(error.retryAfterMs, 7_000);
      assert.equal(late.usage().remaining, 0);
      assert.equal(late.usage().rateLimited, 1);
      // Its pacer now holds every caller until the reset: one more call is refused without asking.
      const held = failure(await late.listAdmins());
      assert.ok(held.code === 'rate_limited' && held.status === undefined);
      assert.equal(late.usage().rateLimited, 1);
    } finally {
      await control('/settings', { rateLimitPerMinute: 10_000 }, 'PUT');
    }
  });

  it('verifies and parses a webhook the workspace delivers, and refuses it under another secret', async () => {
    const deliveries: { body: Buffer; signature: string | undefined }[] = [];
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const header = req.headers['x-hub-signature'];
        deliveries.push({
          body: Buffer.concat(chunks),
          signature: Array.isArray(header) ? header[0] : header,
        });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      await control('/webhooks', {
        url: `http://127.0.0.1:${port}/hook`,
        topics: ['contact.lead.created'],
      });
      const lead = value(await ic.createContact({ role: 'lead', email: 'hook@example.test' }));
      const deadline = Date.now() + 5_000;
      while (deliveries.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const delivery = deliveries[0];
      assert.ok(delivery, 'a delivery arrived');
      const signed = createIntercomConnector({
        baseUrl: emu.url,
        accessToken: emu.credentials.accessToken,
        clientSecret: emu.credentials.clientSecret,
      });
      assert.equal(signed.verifyWebhook(delivery.body, delivery.signature), true);
      assert.equal(
        ic.verifyWebhook(delivery.body, delivery.signature),
        false,
        'no secret configured',
      );
      assert.equal(
        verifyIntercomSignature(delivery.body, delivery.signature, 'another-secret'),
        false,
      );
      const notification = parseIntercomNotification(delivery.body);
      assert.ok(notification.ok);
      assert.equal(notification.value.topic, 'contact.lead.created');
      assert.equal(notification.value.data.item.id, lead.id);
    } finally {
      server.close();
    }
  });

  it('exchanges an OAuth code for an access token that works, once', async () => {
    const url = new URL(
      intercomAuthorizationUrl({
        clientId: emu.credentials.clientId,
        state: 's-1',
        appUrl: emu.url,
      }),
    );
    assert.equal(url.pathname, '/oauth');
    assert.equal(url.searchParams.get('state'), 's-1');
    const { code } = (await control('/oauth/codes', {})) as { code: string };
    const app = {
      baseUrl: emu.url,
      clientId: emu.credentials.clientId,
      clientSecret: emu.credentials.clientSecret,
    };
    const { accessToken } = value(await exchangeIntercomCode(app, code));
    const connected = createIntercomConnector({ baseUrl: emu.url, accessToken });
    assert.equal(value(await connected.me()).type, 'admin');
    const reused = failure(await exchangeIntercomCode(app, code));
    assert.ok(reused.code === 'auth_failed');
    assert.equal(reused.status, 401);
  });

  describe('maps HTTP failures to the closed union', () => {
    const cases: { status: number; code: ConnectorError['code'] }[] = [
      { status: 401, code: 'auth_failed' },
      { status: 403, code: 'permission' },
      { status: 404, code: 'not_found' },
      { status: 409, code: 'conflict' },
      { status: 422, code: 'validation' },
      { status: 500, code: 'upstream' },
      { status: 503, code: 'upstream' },
    ];
    for (const c of cases) {
      it(`answers ${c.code} for HTTP ${c.status}`, async () => {
        await control('/faults', { method: 'GET', path: '/admins', status: c.status, times: 1 });
        const error = failure(await ic.listAdmins());
        assert.equal(error.code, c.code);
        assert.equal(error.system, 'intercom');
        assert.equal(error.status, c.status);
        if (error.code === 'auth_failed') assert.equal(error.needsReconnect, true);
      });
    }

    it('answers auth_failed, needing a reconnect, for a revoked token', async () => {
      const revoked = createIntercomConnector({ baseUrl: emu.url, accessToken: 'revoked' });
      const error = failure(await revoked.me());
      assert.ok(error.code === 'auth_failed');
      assert.equal(error.needsReconnect, true);
      assert.equal(error.upstreamCode, 'unauthorized');
    });

    it('answers upstream when nothing listens at the address', async () => {
      const port = await freePort();
      const down = createIntercomConnector({
        baseUrl: `http://127.0.0.1:${port}`,
        accessToken: 'x',
      });
      assert.equal(failure(await down.me()).code, 'upstream');
    });

    it('ends a page iteration with the error of the page that failed', async () => {
      await control('/faults', { method: 'GET', path: '/contacts', status: 503, times: 1 });
      const pages: Result<IntercomContact[]>[] = [];
      for await (const page of ic.listContacts()) pages.push(page);
      assert.equal(pages.length, 1);
      assert.equal(failure(pages[0] as Result<unknown>).code, 'upstream');
    });
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
