import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Intercom } from 'intercom-client';
import { assertNoSchemaFailures, loose, startHarness, type Harness } from './harness.ts';

// 2026-03-10 09:00:00 UTC: tests move this clock to place changes on chosen days.
const morning = Date.UTC(2026, 2, 10, 9, 0, 0);
const day = 86_400;

describe('contact search', () => {
  let h: Harness;
  let now = morning;
  const ids: Record<string, string> = {};
  const search = async (
    query: Intercom.SearchRequest['query'],
    extra: Partial<Intercom.SearchRequest> = {},
  ) => {
    const found: string[] = [];
    for await (const contact of await h.client.contacts.search({
      query,
      pagination: { per_page: 2 },
      ...extra,
    }))
      found.push(contact.id);
    return found.sort();
  };
  const named = (...names: string[]) => names.map((name) => ids[name] ?? name).sort();

  before(async () => {
    h = await startHarness({ clock: () => now });
    await h.client.dataAttributes.create(
      loose({ name: 'plan', model: 'contact', data_type: 'string' }),
    );
    await h.client.dataAttributes.create(
      loose({ name: 'seats', model: 'contact', data_type: 'integer' }),
    );
    await h.client.dataAttributes.create(
      loose({
        name: 'renews_at',
        model: 'contact',
        data_type: 'date',
      }),
    );
    const people: [string, Intercom.CreateContactRequest][] = [
      [
        'ada',
        {
          role: 'user',
          email: 'ada@alpha.example',
          external_id: 'CN-1',
          name: 'Ada Lovelace',
          owner_id: 991267001,
          custom_attributes: { plan: 'pro', seats: 10, renews_at: morning / 1000 + 30 * day },
        },
      ],
      [
        'bob',
        {
          role: 'user',
          email: 'bob@beta.example',
          external_id: 'CN-2',
          name: 'Bob Byte',
          custom_attributes: { plan: 'free', seats: 1 },
        },
      ],
      [
        'cat',
        {
          role: 'lead',
          email: 'cat@alpha.example',
          name: 'Cat Cache',
          custom_attributes: { plan: 'pro' },
        },
      ],
      ['dan', { role: 'lead', name: 'Dan Null' }],
    ];
    for (const [name, body] of people) ids[name] = (await h.client.contacts.create(body)).id;
  });
  after(async () => {
    await h.close();
    assertNoSchemaFailures();
  });

  it('finds by equality on email, external_id, role and name', async () => {
    assert.deepEqual(
      await search({ field: 'email', operator: '=', value: 'ada@alpha.example' }),
      named('ada'),
    );
    assert.deepEqual(
      await search({ field: 'external_id', operator: '=', value: 'CN-2' }),
      named('bob'),
    );
    assert.deepEqual(
      await search({ field: 'role', operator: '=', value: 'lead' }),
      named('cat', 'dan'),
    );
    assert.deepEqual(
      await search({ field: 'name', operator: '!=', value: 'Ada Lovelace' }),
      named('bob', 'cat', 'dan'),
    );
  });

  it('supports IN, NIN, contains, not contains, starts with and ends with', async () => {
    assert.deepEqual(
      await search({ field: 'external_id', operator: 'IN', value: ['CN-1', 'CN-2'] }),
      named('ada', 'bob'),
    );
    assert.deepEqual(
      await search({ field: 'role', operator: 'NIN', value: ['user'] }),
      named('cat', 'dan'),
    );
    assert.deepEqual(await search({ field: 'name', operator: '~', value: 'byte' }), named('bob'));
    assert.deepEqual(await search({ field: 'name', operator: '!~', value: 'a' }), named('bob'));
    assert.deepEqual(await search({ field: 'email', operator: '^', value: 'cat@' }), named('cat'));
    assert.deepEqual(
      await search({ field: 'email', operator: '$', value: '@alpha.example' }),
      named('ada', 'cat'),
    );
  });

  it('compares numbers with < > <= >= on owner_id and integer custom attributes', async () => {
    assert.deepEqual(
      await search({ field: 'custom_attributes.seats', operator: '>', value: 1 }),
      named('ada'),
    );
    assert.deepEqual(
      await search(loose({ field: 'custom_attributes.seats', operator: '>=', value: 1 })),
      named('ada', 'bob'),
    );
    assert.deepEqual(
      await search(loose({ field: 'custom_attributes.seats', operator: '<=', value: 1 })),
      named('bob'),
    );
    assert.deepEqual(
      await search({ field: 'owner_id', operator: '=', value: 991267001 }),
      named('ada'),
    );
    assert.deepEqual(
      await search({ field: 'custom_attributes.plan', operator: '=', value: 'pro' }),
      named('ada', 'cat'),
    );
  });

  it('matches a missing value with = null', async () => {
    assert.deepEqual(
      await search(loose({ field: 'email', operator: '=', value: null })),
      named('dan'),
    );
  });

  it('nests AND and OR groups', async () => {
    const query = {
      operator: 'AND' as const,
      value: [
        {
          operator: 'OR' as const,
          value: [
            { field: 'email', operator: '$' as const, value: '@alpha.example' },
            { field: 'external_id', operator: '=' as const, value: 'CN-2' },
          ],
        },
        { field: 'role', operator: '=' as const, value: 'user' },
      ],
    };
    assert.deepEqual(await search(query as Intercom.SearchRequest['query']), named('ada', 'bob'));
  });

  it('refuses a third level of nesting, unknown fields and date operators Intercom refuses', async () => {
    const deep = {
      operator: 'AND',
      value: [
        {
          operator: 'OR',
          value: [{ operator: 'AND', value: [{ field: 'role', operator: '=', value: 'user' }] }],
        },
      ],
    };
    for (const query of [
      deep,
      { field: 'favourite_colour', operator: '=', value: 'red' },
      { field: 'updated_at', operator: '>=', value: 1 },
      { field: 'created_at', operator: '!=', value: 1 },
      { field: 'created_at', operator: 'IN', value: [1] },
      { field: 'tag_id', operator: 'IN', value: ['1'] },
    ]) {
      const response = await h.api('POST', '/contacts/search', { query });
      assert.equal(response.status, 400, JSON.stringify(query));
      assert.equal(response.body.type, 'error.list');
    }
  });

  it('matches dates by calendar day: a same-day update is missed by updated_at > t and found by the overlap query', async () => {
    const sync = await h.client.contacts.find({ contact_id: ids['bob'] ?? '' });
    const lastSync = sync.updated_at; // the checkpoint a naive sync would keep
    now += 3 * 3600 * 1000; // three hours later, the same day
    const changed = await h.client.contacts.update({
      contact_id: ids['bob'] ?? '',
      name: 'Bob Changed',
    });
    assert.ok(changed.updated_at > lastSync);

    const naive = await search({ field: 'updated_at', operator: '>', value: lastSync });
    assert.ok(!naive.includes(ids['bob'] ?? ''), 'updated_at > t starts at the next day');

    const startOfDay = Math.floor(lastSync / day) * day;
    const overlap = await search({ field: 'updated_at', operator: '>', value: startOfDay - day });
    assert.ok(
      overlap.includes(ids['bob'] ?? ''),
      'from the day before, same-day changes are found',
    );
    const sameDay = await search({ field: 'updated_at', operator: '=', value: lastSync });
    assert.ok(sameDay.includes(ids['bob'] ?? ''), '= matches the whole day');
    assert.deepEqual(await search({ field: 'updated_at', operator: '<', value: lastSync }), []);
  });

  it('matches date custom attributes by day too', async () => {
    const renews = morning / 1000 + 30 * day;
    assert.deepEqual(
      await search({ field: 'custom_attributes.renews_at', operator: '=', value: renews + 3600 }),
      named('ada'),
    );
    assert.deepEqual(
      await search({ field: 'custom_attributes.renews_at', operator: '>', value: renews }),
      [],
    );
  });

  it('sorts by a field and pages through results with the cursor in the body', async () => {
    const response = await h.api('POST', '/contacts/search', {
      query: { field: 'name', operator: '~', value: '' },
      pagination: { per_page: 3 },
      sort: { field: 'name', order: 'ascending' },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(
      response.body.data.map((c: { name: string }) => c.name),
      ['Ada Lovelace', 'Bob Changed', 'Cat Cache'],
    );
    assert.equal(response.body.total_count, 4);
    const next = await h.api('POST', '/contacts/search', {
      query: { field: 'name', operator: '~', value: '' },
      pagination: { per_page: 3, starting_after: response.body.pages.next.starting_after },
      sort: { field: 'name', order: 'ascending' },
    });
    assert.deepEqual(
      next.body.data.map((c: { name: string }) => c.name),
      ['Dan Null'],
    );
    assert.equal(next.body.pages.next, undefined);
  });

  it('matches e-mails without regard to case, the same through the index as by a scan', async () => {
    const indexed = await search({ field: 'email', operator: '=', value: 'ADA@Alpha.example' });
    assert.deepEqual(indexed, named('ada'));
    // An OR with an unindexed field makes the emulator scan every contact instead.
    const scanned = await search({
      operator: 'OR',
      value: [
        { field: 'email', operator: '=', value: 'ADA@Alpha.example' },
        { field: 'name', operator: '=', value: 'nobody at all' },
      ],
    });
    assert.deepEqual(scanned, indexed);
    assert.deepEqual(await search({ field: 'external_id', operator: '=', value: 'cn-1' }), []);
  });

  it('can hide new contacts from search for a while, as Intercom warns it may', async () => {
    await h.control('PUT', '/settings', { searchDelaySeconds: 120 });
    try {
      const fresh = await h.client.contacts.create({ email: 'fresh@alpha.example' });
      const query = { field: 'email', operator: '=' as const, value: 'fresh@alpha.example' };
      assert.deepEqual(await search(query), []);
      now += 121_000;
      assert.deepEqual(await search(query), [fresh.id]);
    } finally {
      await h.control('PUT', '/settings', { searchDelaySeconds: 0 });
    }
  });

  it('finds contacts by tag_id', async () => {
    const tag = await h.client.tags.create({ name: 'Searchable' });
    await h.client.tags.tagContact({ contact_id: ids['cat'] ?? '', id: tag.id });
    assert.deepEqual(await search({ field: 'tag_id', operator: '=', value: tag.id }), named('cat'));
  });
});

describe('contact search over the demo workspace', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      seed: 'demo',
      demoSize: { contacts: 1200, companies: 20, conversations: 0 },
    });
  });
  after(async () => {
    await h.close();
    assertNoSchemaFailures();
  });

  it('pages, in updated_at order, through every contact changed from a given day on, as an incremental sync does', async () => {
    const day = 86_400;
    const since = 1_767_225_600 - 120 * day; // 120 days before the demo epoch
    const expected = [...h.emu.emulator.ws.contacts.values()]
      .filter((c) => Math.floor(c.updated_at / day) > Math.floor(since / day))
      .map((c) => c.id)
      .sort();
    assert.ok(expected.length > 100 && expected.length < 1200, `${expected.length} matches`);
    const seen: string[] = [];
    let last = 0;
    let page = await h.client.contacts.search(
      loose({
        query: { field: 'updated_at', operator: '>', value: since },
        pagination: { per_page: 150 },
        sort: { field: 'updated_at', order: 'ascending' },
      }),
    );
    for (;;) {
      for (const contact of page.data) {
        assert.ok(contact.updated_at >= last, 'ascending updated_at');
        last = contact.updated_at;
        seen.push(contact.id);
      }
      if (!page.hasNextPage()) break;
      page = await page.getNextPage();
    }
    assert.deepEqual([...seen].sort(), expected);
  });
});
