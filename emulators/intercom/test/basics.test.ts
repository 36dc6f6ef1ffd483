import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IntercomClient } from 'intercom-client';
import {
  assertNoSchemaFailures,
  failure,
  startHarness,
  validatingFetch,
  type Harness,
} from './harness.ts';
import { describeIntercomEmulator, InvalidOptionsError, startIntercomEmulator } from '../index.ts';

describe('the Intercom emulator basics', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      seed: 'demo',
      demoSize: { contacts: 50, companies: 10, conversations: 10 },
    });
  });
  after(async () => {
    await h.close();
    assertNoSchemaFailures();
  });

  it('answers /me with the admin and app behind the token, through the SDK', async () => {
    const me = await h.client.admins.identify();
    assert.equal(me?.type, 'admin');
    assert.equal(me?.app?.id_code, 'tandemdev');
    assert.ok(me?.email?.includes('@'));
  });

  it('lists ten admins and three teams, and finds each by id', async () => {
    const admins = await h.client.admins.list();
    assert.equal(admins.admins?.length, 10);
    const first = admins.admins?.[0];
    assert.ok(first);
    const found = await h.client.admins.find({ admin_id: Number(first.id) });
    assert.equal(found?.email, first.email);
    const teams = await h.client.teams.list();
    assert.equal(teams.teams?.length, 3);
    const team = await h.client.teams.find({ team_id: teams.teams?.[0]?.id ?? '' });
    assert.equal(team.name, teams.teams?.[0]?.name);
  });

  it('refuses a wrong token with 401 and the error envelope of the real API', async () => {
    const bad = new IntercomClient({
      token: 'nope',
      environment: h.url,
      maxRetries: 0,
      fetch: validatingFetch as typeof fetch,
    });
    const error = await failure(bad.contacts.list());
    assert.equal(error.statusCode, 401);
    assert.equal(error.body.type, 'error.list');
    assert.deepEqual(error.body.errors, [
      { code: 'unauthorized', message: 'Access Token Invalid' },
    ]);
    assert.match(error.body.request_id, /^[0-9a-f-]{36}$/);
  });

  it('refuses a request without an Authorization header, without spending the rate budget', async () => {
    const before = Number((await h.api('GET', '/admins')).headers.get('x-ratelimit-remaining'));
    const response = await h.api('GET', '/contacts', undefined, { authorization: '' });
    assert.equal(response.status, 401);
    // (Equal, or a fresh window if one began in between.)
    assert.ok(Number(response.headers.get('x-ratelimit-remaining')) >= before);
  });

  it('serves 2.14 by default and honours Intercom-Version 2.16 where the shapes differ', async () => {
    const created = await h.api('POST', '/contacts', {
      email: 'owner@x.example',
      owner_id: 991267002,
    });
    assert.equal(created.body.owner_id, 991267002);
    const as216 = await h.api('GET', `/contacts/${created.body.id}`, undefined, {
      'intercom-version': '2.16',
    });
    assert.equal(as216.body.owner_id, '991267002');
  });

  it('refuses an unknown Intercom-Version clearly', async () => {
    const response = await h.api('GET', '/admins', undefined, { 'intercom-version': '1.4' });
    assert.equal(response.status, 400);
    assert.equal(response.body.errors[0].code, 'intercom_version_invalid');
  });

  it('answers an unknown path with 404 in the error envelope', async () => {
    const response = await h.api('GET', '/no/such/thing');
    assert.equal(response.status, 404);
    assert.equal(response.body.errors[0].code, 'not_found');
  });

  it('answers malformed JSON with 400 parameter_invalid', async () => {
    const response = await h.api('POST', '/contacts', '{"email": ');
    assert.equal(response.status, 400);
    assert.equal(response.body.errors[0].code, 'parameter_invalid');
  });

  it('puts the rate-limit headers on every response, errors included', async () => {
    const ok = await h.api('GET', '/admins');
    const notFound = await h.api('GET', '/contacts/000000000000000000000000');
    for (const response of [ok, notFound]) {
      assert.equal(response.headers.get('x-ratelimit-limit'), '10000');
      assert.ok(Number(response.headers.get('x-ratelimit-remaining')) < 1666);
      const reset = Number(response.headers.get('x-ratelimit-reset'));
      assert.equal(reset % 10, 0);
      assert.ok(reset > Date.now() / 1000 && reset <= Date.now() / 1000 + 10);
    }
  });

  it('refuses invalid options at start, naming each one', async () => {
    await assert.rejects(
      startIntercomEmulator({ port: -1, latencyMs: 1.5, rateLimitPerMinute: 0 }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionsError);
        assert.deepEqual(
          error.problems.map((problem) => problem.split(':')[0]),
          ['port', 'latencyMs', 'rateLimitPerMinute'],
        );
        return true;
      },
    );
  });

  it('prints the base URL and the fixed credentials for the CLI', () => {
    const lines = describeIntercomEmulator(h.emu).join('\n');
    assert.ok(lines.includes(h.url));
    for (const secret of ['tandem-dev-token', 'tandem-dev-client', 'tandem-dev-secret'])
      assert.ok(lines.includes(secret));
  });
});
