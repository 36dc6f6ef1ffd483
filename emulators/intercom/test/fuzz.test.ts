import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNoSchemaFailures, startHarness, validatingFetch, type Harness } from './harness.ts';

/** mulberry32: a seeded generator, so that a failing run can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seed = Number(process.env['FUZZ_SEED'] ?? 20260310);
const requests = 3000;

describe('fuzzing', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      seed: 'demo',
      demoSize: { contacts: 60, companies: 6, conversations: 10 },
      rateLimitPerMinute: 10_000_000,
    });
  });
  after(async () => {
    await h.close();
    assertNoSchemaFailures();
  });

  it(`answers ${requests} random requests (seed ${seed}) with documented statuses and the error envelope, never crashing`, async () => {
    const random = generator(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const ws = h.emu.emulator.ws;
    const ids = () => [
      pick([...ws.contacts.keys()]) ?? 'x',
      pick([...ws.companies.keys()]) ?? 'x',
      pick([...ws.conversations.keys()]) ?? 'x',
      pick([...ws.tags.keys()]) ?? 'x',
      '000000000000000000000000',
      '%E2%98%83',
      '..',
      '-1',
      'CN-000001',
    ];
    const paths = [
      '/me',
      '/admins',
      '/admins/{id}',
      '/teams',
      '/teams/{id}',
      '/contacts',
      '/contacts/{id}',
      '/contacts/search',
      '/contacts/merge',
      '/contacts/find_by_external_id/{id}',
      '/contacts/{id}/archive',
      '/contacts/{id}/unarchive',
      '/contacts/{id}/tags',
      '/contacts/{id}/tags/{id}',
      '/contacts/{id}/companies',
      '/contacts/{id}/companies/{id}',
      '/companies',
      '/companies/{id}',
      '/companies/list',
      '/companies/scroll',
      '/companies/{id}/contacts',
      '/conversations',
      '/conversations/{id}',
      '/conversations/search',
      '/conversations/{id}/reply',
      '/conversations/{id}/parts',
      '/conversations/{id}/tags',
      '/conversations/{id}/tags/{id}',
      '/data_attributes',
      '/data_attributes/{id}',
      '/tags',
      '/tags/{id}',
      '/nowhere',
      '/contacts/{id}/nothing',
      '/auth/eagle/token',
    ];
    const scalars = [
      null,
      true,
      false,
      0,
      -1,
      1.5,
      2 ** 53,
      '',
      'x',
      'a@b.c',
      '991267001',
      [],
      {},
      ['user'],
      { value: 1 },
    ];
    const fields = [
      'email',
      'external_id',
      'role',
      'name',
      'owner_id',
      'custom_attributes',
      'company_id',
      'id',
      'query',
      'pagination',
      'from',
      'into',
      'body',
      'message_type',
      'type',
      'admin_id',
      'assignee_id',
      'model',
      'data_type',
      'options',
      'archived',
      'read',
      'title',
      'snoozed_until',
      'plan',
      'size',
      'field',
      'operator',
      'value',
      'junk',
    ];
    const value = (depth: number): unknown => {
      const roll = random();
      if (depth > 2 || roll < 0.6) return pick(scalars);
      if (roll < 0.8)
        return Array.from({ length: Math.floor(random() * 3) }, () => value(depth + 1));
      return object(depth + 1);
    };
    const object = (depth: number) =>
      Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, () => [pick(fields), value(depth)]),
      );
    const queries = [
      { field: 'email', operator: pick(['=', '~', 'IN', '>', '!~']), value: 'a' },
      {
        operator: pick(['AND', 'OR', 'XOR']),
        value: [{ field: 'role', operator: '=', value: 'user' }, 'x'],
      },
      { field: 'updated_at', operator: pick(['>', '<', '=', '>=']), value: pick([0, 'now', null]) },
    ];

    const statuses = new Map<number, number>();
    let index = 0;
    const worker = async () => {
      while (index < requests) {
        index += 1;
        const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
        let path = pick(paths);
        for (const id of ids())
          if (path.includes('{id}')) path = path.replace('{id}', pick([id, pick(ids())]));
        if (random() < 0.2)
          path += pick([
            '?per_page=',
            '?per_page=999',
            '?page=-1',
            '?starting_after=%%%',
            '?model=x',
            '?display_as=plaintext',
          ]);
        const roll = random();
        const body =
          method === 'GET'
            ? undefined
            : roll < 0.15
              ? pick(['{', '[1,', 'null', '"text"', '{"email": }', '\u0000', '{"query": {}}'])
              : roll < 0.3
                ? JSON.stringify({ query: pick(queries), pagination: value(1) })
                : JSON.stringify(object(0));
        const headers: Record<string, string> = {
          authorization: random() < 0.05 ? 'Bearer wrong' : 'Bearer tandem-dev-token',
        };
        if (body !== undefined)
          headers['content-type'] = pick(['application/json', 'application/json', 'text/plain']);
        if (random() < 0.1)
          headers['intercom-version'] = pick([
            '2.14',
            '2.16',
            '2.11',
            '1.0',
            'Unstable',
            '9.9',
            '',
          ]);
        const response = await validatingFetch(h.url + path, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    for (const status of statuses.keys())
      assert.ok(
        [200, 400, 401, 404, 409, 422].includes(status),
        `status ${status}: ${JSON.stringify([...statuses])}`,
      );
    assert.ok((statuses.get(200) ?? 0) > 50, 'some requests succeed');
    assert.ok((statuses.get(400) ?? 0) > 100, 'many requests are refused');
    assert.equal((await h.client.admins.list()).type, 'admin.list', 'still serving');
  });
});
