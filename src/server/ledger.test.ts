import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import pino from 'pino';
import type { AddJobOptions, JobPayload } from '../queue/index.ts';
import { failureRequeuer, syncTaskFor } from '../runtime/requeue.ts';
import {
  intercomContactKey as captureContactKey,
  salesforceRecordKey,
} from '../sync/capture/jobs.ts';
import { recordKey } from '../sync/timeline.ts';
import { createSecretBox, openStore, type NewFailure, type Store } from '../store/index.ts';
import { createApp, createMetrics, intercomContactKey } from './index.ts';

const token = 'admin-token-for-tests-0123456789';

interface Added {
  readonly task: string;
  readonly payload: JobPayload;
  readonly options: AddJobOptions | undefined;
}

/** A fresh database and app per test; queued jobs are kept in `added`. */
async function fixture(options: { addFails?: boolean } = {}) {
  const store = openStore({
    location: { kind: 'sqlite', file: ':memory:' },
    secretBox: createSecretBox(randomBytes(32)),
  });
  await store.migrate();
  const added: Added[] = [];
  const engine = {
    add: async (task: string, payload: JobPayload, addOptions?: AddJobOptions) => {
      if (options.addFails) throw new Error('the queue is unreachable');
      added.push({ task, payload, options: addOptions });
      return { id: String(added.length) };
    },
  };
  const app = createApp({
    version: '9.9.9',
    databaseKind: 'sqlite',
    log: pino({ level: 'silent' }),
    metrics: createMetrics(async () => []),
    database: store,
    settings: store.settings,
    events: store.events,
    ledger: { ...store, requeue: failureRequeuer(engine) },
    jobs: { counts: async () => [], failed: async () => [] },
    webhooks: {
      verify: () => false,
      store: () => Promise.reject(new Error('not in these tests')),
      enqueue: async () => {},
    },
    isAdminToken: (candidate) => candidate === token,
  });
  const api = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    return app.request(`/api${path}`, {
      ...rest,
      ...(json === undefined ? {} : { method: rest.method ?? 'POST', body: JSON.stringify(json) }),
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        ...(rest.headers as Record<string, string>),
      },
    });
  };
  return { store, app, api, added };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;
let current: Fixture | undefined;
const setUp = async (options?: { addFails?: boolean }) => (current = await fixture(options));
afterEach(async () => {
  await current?.store.close();
  current = undefined;
});

const failure = (overrides: Partial<NewFailure> = {}): NewFailure => ({
  recordKey: 'intercom:contact:ic-1',
  system: 'salesforce',
  operation: 'create_lead',
  category: 'validation',
  errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  message: 'Company is required',
  fields: ['Company'],
  payload: { recordKey: 'intercom:contact:ic-1', inboxId: 7 },
  ...overrides,
});

async function linkedPair(store: Store) {
  await store.events.append({ kind: 'webhook.received', subject: 'intercom:contact:ic-1' });
  await store.events.append({ kind: 'sync.skipped', subject: 'intercom:contact:other' });
  await store.events.append({
    kind: 'lead.created',
    subject: 'intercom:contact:ic-1',
    data: { intercomId: 'ic-1', salesforceId: '00Q1' },
  });
  await store.links.create({ intercomId: 'ic-1', salesforceId: '00Q1', salesforceType: 'Lead' });
  await store.events.append({
    kind: 'record.updated',
    subject: 'salesforce:Lead:00Q1',
    data: { system: 'intercom', fields: [{ field: 'name', before: 'A', after: 'B' }] },
  });
  await store.events.append({ kind: 'sync.skipped', subject: 'salesforce:Lead:00Q2' });
}

interface TimelineBody {
  record: { system: string; id: string; type: string | null };
  link: { intercomId: string; salesforceId: string; salesforceType: string } | null;
  subjects: string[];
  data: { id: number; kind: string; subject: string; at: string }[];
  next: number | null;
  openFailures: { id: number }[];
}

describe('GET /api/records/{system}/{id}/timeline', () => {
  it('shows an Intercom contact’s events and its linked Lead’s, in ledger order', async () => {
    const { store, api } = await setUp();
    await linkedPair(store);
    const response = await api('/records/intercom/ic-1/timeline');
    assert.equal(response.status, 200);
    const body = (await response.json()) as TimelineBody;
    assert.deepEqual(body.record, { system: 'intercom', id: 'ic-1', type: null });
    assert.equal(body.link?.salesforceId, '00Q1');
    assert.deepEqual(
      body.data.map((e) => [e.kind, e.subject]),
      [
        ['webhook.received', 'intercom:contact:ic-1'],
        ['lead.created', 'intercom:contact:ic-1'],
        ['record.updated', 'salesforce:Lead:00Q1'],
      ],
    );
    assert.equal(body.next, null);
  });

  it('finds a Salesforce record’s type through its link and shows the same history', async () => {
    const { store, api } = await setUp();
    await linkedPair(store);
    const body = (await (await api('/records/salesforce/00Q1/timeline')).json()) as TimelineBody;
    assert.deepEqual(body.record, { system: 'salesforce', id: '00Q1', type: 'Lead' });
    assert.deepEqual(
      body.data.map((e) => e.kind),
      ['webhook.received', 'lead.created', 'record.updated'],
    );
  });

  it('takes an unlinked Salesforce record’s type from ?type=, or looks under both objects', async () => {
    const { store, api } = await setUp();
    await store.events.append({ kind: 'sync.skipped', subject: 'salesforce:Contact:003X' });
    await store.events.append({ kind: 'sync.failed', subject: 'salesforce:Lead:003X' });
    const typed = (await (
      await api('/records/salesforce/003X/timeline?type=Contact')
    ).json()) as TimelineBody;
    assert.deepEqual(typed.subjects, ['salesforce:Contact:003X']);
    assert.deepEqual(
      typed.data.map((e) => e.kind),
      ['sync.skipped'],
    );
    const untyped = (await (await api('/records/salesforce/003X/timeline')).json()) as TimelineBody;
    assert.equal(untyped.record.type, null);
    assert.deepEqual(
      untyped.data.map((e) => e.kind),
      ['sync.skipped', 'sync.failed'],
    );
  });

  it('follows a converted Lead to its Contact, so either shows the whole history', async () => {
    const { store, api } = await setUp();
    await linkedPair(store);
    const [link] = await store.links.list();
    await store.links.move(link!.id, { system: 'salesforce', id: '003C', type: 'Contact' });
    await store.events.append({
      kind: 'link.moved',
      subject: 'salesforce:Lead:00Q1',
      data: {
        reason: 'lead_converted',
        from: { intercomId: 'ic-1', salesforceId: '00Q1', salesforceType: 'Lead' },
        to: { intercomId: 'ic-1', salesforceId: '003C', salesforceType: 'Contact' },
      },
    });
    await store.events.append({ kind: 'record.updated', subject: 'salesforce:Contact:003C' });
    const expected = [
      'webhook.received',
      'lead.created',
      'record.updated',
      'link.moved',
      'record.updated',
    ];
    for (const path of [
      '/records/salesforce/003C/timeline',
      '/records/intercom/ic-1/timeline',
      '/records/salesforce/00Q1/timeline?type=Lead',
    ]) {
      const body = (await (await api(path)).json()) as TimelineBody;
      assert.deepEqual(
        body.data.map((e) => e.kind),
        expected,
        path,
      );
    }
  });

  it('pages through a long timeline with limit and after', async () => {
    const { store, api } = await setUp();
    await linkedPair(store);
    const first = (await (
      await api('/records/intercom/ic-1/timeline?limit=2')
    ).json()) as TimelineBody;
    assert.deepEqual(
      first.data.map((e) => e.kind),
      ['webhook.received', 'lead.created'],
    );
    assert.equal(first.next, first.data[1]!.id);
    const second = (await (
      await api(`/records/intercom/ic-1/timeline?limit=2&after=${first.next}`)
    ).json()) as TimelineBody;
    assert.deepEqual(
      second.data.map((e) => e.kind),
      ['record.updated'],
    );
    assert.equal(second.next, null);
  });

  it('lists the record’s open failures beside its timeline', async () => {
    const { store, api } = await setUp();
    await linkedPair(store);
    const open = await store.failures.record(failure());
    const body = (await (await api('/records/salesforce/00Q1/timeline')).json()) as TimelineBody;
    assert.deepEqual(
      body.openFailures.map((f) => f.id),
      [open.id],
    );
  });

  it('answers 404 for a record Tandem has recorded nothing about', async () => {
    const { api } = await setUp();
    const response = await api('/records/intercom/nobody/timeline');
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  it('answers 400 for an unknown system, a bad type, and a type on an Intercom record', async () => {
    const { api } = await setUp();
    for (const path of [
      '/records/hubspot/1/timeline',
      '/records/salesforce/1/timeline?type=Account',
      '/records/intercom/1/timeline?type=Lead',
      '/records/intercom/1/timeline?limit=0',
    ]) {
      const response = await api(path);
      assert.equal(response.status, 400, path);
      const body = (await response.json()) as { error: { code: string } };
      assert.match(body.error.code, /^invalid_/, path);
    }
  });

  it('answers 401 without the admin token', async () => {
    const { app } = await setUp();
    const response = await app.request('/api/records/intercom/ic-1/timeline');
    assert.equal(response.status, 401);
    assert.equal(
      ((await response.json()) as { error: { code: string } }).error.code,
      'unauthorized',
    );
  });

  it('keys records the way the webhook intake and change capture key their jobs', () => {
    assert.equal(recordKey({ system: 'intercom', id: 'abc' }), intercomContactKey('abc'));
    assert.equal(recordKey({ system: 'intercom', id: 'abc' }), captureContactKey('abc'));
    assert.equal(
      recordKey({ system: 'salesforce', id: '003A', type: 'Contact' }),
      salesforceRecordKey('Contact', '003A'),
    );
    assert.equal(syncTaskFor(intercomContactKey('abc')), 'sync.intercom.contact');
    assert.equal(syncTaskFor('salesforce:Contact:003A'), 'sync.salesforce.record');
    assert.equal(syncTaskFor('salesforce:Account:001A'), undefined);
    assert.equal(syncTaskFor('probe:1'), undefined);
  });
});

interface FailuresBody {
  data: { id: number; recordKey: string; category: string; system: string; errorCode: string }[];
  next: number | null;
}

describe('GET /api/failures', () => {
  async function three(store: Store) {
    const a = await store.failures.record(failure());
    const b = await store.failures.record(
      failure({
        recordKey: 'salesforce:Lead:00Q9',
        system: 'intercom',
        operation: 'update_contact',
        category: 'not_found',
        errorCode: null,
        payload: { salesforceId: '00Q9', type: 'Lead' },
      }),
    );
    const c = await store.failures.record(
      failure({ recordKey: 'intercom:contact:ic-2', category: 'permission' }),
    );
    return [a, b, c] as const;
  }

  it('lists the open failures, oldest first, with their category and errorCode', async () => {
    const { store, api } = await setUp();
    const [a, b, c] = await three(store);
    await store.failures.resolve([c.id], 'dismissed');
    const body = (await (await api('/failures')).json()) as FailuresBody;
    assert.deepEqual(
      body.data.map((f) => f.id),
      [a.id, b.id],
    );
    assert.equal(body.data[0]!.errorCode, 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
    assert.equal(body.next, null);
  });

  it('filters by system, category and record', async () => {
    const { store, api } = await setUp();
    const [a, b, c] = await three(store);
    const ids = async (query: string) =>
      ((await (await api(`/failures?${query}`)).json()) as FailuresBody).data.map((f) => f.id);
    assert.deepEqual(await ids('system=intercom'), [b.id]);
    assert.deepEqual(await ids('category=permission'), [c.id]);
    assert.deepEqual(await ids('record=intercom:contact:ic-1'), [a.id]);
    assert.deepEqual(await ids('system=salesforce&category=not_found'), []);
  });

  it('pages with limit and after', async () => {
    const { store, api } = await setUp();
    const [a, b, c] = await three(store);
    const first = (await (await api('/failures?limit=2')).json()) as FailuresBody;
    assert.deepEqual(
      first.data.map((f) => f.id),
      [a.id, b.id],
    );
    assert.equal(first.next, b.id);
    const rest = (await (await api(`/failures?after=${first.next}`)).json()) as FailuresBody;
    assert.deepEqual(
      rest.data.map((f) => f.id),
      [c.id],
    );
  });

  it('answers 400 for an unknown category, system or parameter and a malformed record key', async () => {
    const { api } = await setUp();
    for (const query of ['category=typo', 'system=hubspot', 'record=ic-1', 'colour=red']) {
      const response = await api(`/failures?${query}`);
      assert.equal(response.status, 400, query);
    }
  });

  it('answers 401 without the admin token', async () => {
    const { app } = await setUp();
    assert.equal((await app.request('/api/failures')).status, 401);
  });
});

interface ReplayBody {
  replayed: { id: number; recordKey: string; task: string; jobId: string }[];
  notOpen: { id: number; resolution: string }[];
  notQueued: { id: number; error: string; backOnTheListAs: number }[];
}

describe('POST /api/failures/replay', () => {
  it('queues exactly the selected failures, once, on their task on the interactive lane', async () => {
    const { store, api, added } = await setUp();
    const a = await store.failures.record(failure());
    const b = await store.failures.record(
      failure({
        recordKey: 'salesforce:Contact:003B',
        payload: { salesforceId: '003B', type: 'Contact' },
      }),
    );
    const c = await store.failures.record(failure({ recordKey: 'intercom:contact:ic-3' }));
    const response = await api('/failures/replay', { json: { ids: [a.id, b.id] } });
    assert.equal(response.status, 200);
    const body = (await response.json()) as ReplayBody;
    assert.deepEqual(
      body.replayed.map((r) => [r.id, r.task]),
      [
        [a.id, 'sync.intercom.contact'],
        [b.id, 'sync.salesforce.record'],
      ],
    );
    assert.deepEqual(added, [
      {
        task: 'sync.intercom.contact',
        payload: { recordKey: 'intercom:contact:ic-1', inboxId: 7 },
        options: { jobKey: 'intercom:contact:ic-1', lane: 'interactive' },
      },
      {
        task: 'sync.salesforce.record',
        payload: { salesforceId: '003B', type: 'Contact' },
        options: { jobKey: 'salesforce:Contact:003B', lane: 'interactive' },
      },
    ]);
    assert.deepEqual(
      (await store.failures.listOpen()).map((f) => f.id),
      [c.id],
    );
    const ledger = await store.events.list({ kind: 'failure.replayed' });
    assert.deepEqual(
      ledger.map((e) => [e.subject, e.data['failure'], e.data['by']]),
      [
        ['intercom:contact:ic-1', a.id, 'admin-api'],
        ['salesforce:Contact:003B', b.id, 'admin-api'],
      ],
    );
  });

  it('does nothing when the same failure is replayed again', async () => {
    const { store, api, added } = await setUp();
    const a = await store.failures.record(failure());
    await api('/failures/replay', { json: { ids: [a.id] } });
    const again = await api('/failures/replay', { json: { ids: [a.id] } });
    assert.equal(again.status, 200);
    const body = (await again.json()) as ReplayBody;
    assert.deepEqual(body.replayed, []);
    assert.deepEqual(body.notOpen, [{ id: a.id, resolution: 'replayed' }]);
    assert.equal(added.length, 1);
  });

  it('replays every open failure with { all: true }, and none of the resolved ones', async () => {
    const { store, api, added } = await setUp();
    const a = await store.failures.record(failure());
    const b = await store.failures.record(failure({ recordKey: 'intercom:contact:ic-2' }));
    const c = await store.failures.record(failure({ recordKey: 'intercom:contact:ic-3' }));
    await store.failures.resolve([b.id], 'dismissed');
    const body = (await (
      await api('/failures/replay', { json: { all: true } })
    ).json()) as ReplayBody;
    assert.deepEqual(
      body.replayed.map((r) => r.id),
      [a.id, c.id],
    );
    assert.equal(added.length, 2);
    assert.deepEqual(await store.failures.listOpen(), []);
  });

  it('refuses ids that name no failure with 404 and replays nothing', async () => {
    const { store, api, added } = await setUp();
    const a = await store.failures.record(failure());
    const response = await api('/failures/replay', { json: { ids: [a.id, 999] } });
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { code: string; details: unknown } };
    assert.deepEqual(body.error.details, { unknown: [999] });
    assert.equal(added.length, 0);
    assert.equal((await store.failures.listOpen()).length, 1);
  });

  it('puts a failure back on the list when its job cannot be queued', async () => {
    const { store, api } = await setUp({ addFails: true });
    const a = await store.failures.record(failure({ attempts: 3 }));
    const body = (await (
      await api('/failures/replay', { json: { ids: [a.id] } })
    ).json()) as ReplayBody;
    assert.deepEqual(body.replayed, []);
    assert.equal(body.notQueued[0]?.id, a.id);
    assert.match(body.notQueued[0]!.error, /queue is unreachable/);
    const [back] = await store.failures.listOpen();
    assert.equal(back?.id, body.notQueued[0]!.backOnTheListAs);
    assert.equal(back?.attempts, 3);
    assert.equal(back?.message, 'Company is required');
  });

  it('answers 400 for a body that is not JSON or not { ids } or { all: true }', async () => {
    const { api } = await setUp();
    for (const body of [
      '{',
      '{"ids":[]}',
      '{"all":false}',
      '{"ids":[1],"all":true}',
      '{"ids":["x"]}',
    ]) {
      const response = await api('/failures/replay', { method: 'POST', body });
      assert.equal(response.status, 400, body);
    }
  });

  it('answers 401 without the admin token', async () => {
    const { app } = await setUp();
    const response = await app.request('/api/failures/replay', {
      method: 'POST',
      body: JSON.stringify({ all: true }),
    });
    assert.equal(response.status, 401);
  });
});

describe('POST /api/failures/{id}/resolve', () => {
  it('closes a failure without replaying it and writes the note to the record’s ledger', async () => {
    const { store, api, added } = await setUp();
    const a = await store.failures.record(failure());
    const response = await api(`/failures/${a.id}/resolve`, {
      json: { note: 'the Lead was fixed by hand' },
      headers: { 'X-Tandem-Author': 'ada' },
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { id: number; resolution: string; resolvedAt: string };
    assert.equal(body.resolution, 'dismissed');
    assert.ok(body.resolvedAt);
    assert.deepEqual(await store.failures.listOpen(), []);
    assert.equal(added.length, 0);
    const [event] = await store.events.list({ kind: 'failure.resolved' });
    assert.equal(event?.subject, 'intercom:contact:ic-1');
    assert.deepEqual(event?.data, {
      failure: a.id,
      category: 'validation',
      note: 'the Lead was fixed by hand',
      by: 'ada',
    });
  });

  it('answers 409 for a failure that already left the list, 404 for an unknown one', async () => {
    const { store, api } = await setUp();
    const a = await store.failures.record(failure());
    await store.failures.replay({ ids: [a.id] });
    const closed = await api(`/failures/${a.id}/resolve`, { json: { note: 'x' } });
    assert.equal(closed.status, 409);
    assert.match(
      ((await closed.json()) as { error: { message: string } }).error.message,
      /replayed/,
    );
    const unknown = await api('/failures/999/resolve', { json: { note: 'x' } });
    assert.equal(unknown.status, 404);
  });

  it('answers 400 without a note or with a bad id', async () => {
    const { store, api } = await setUp();
    const a = await store.failures.record(failure());
    assert.equal((await api(`/failures/${a.id}/resolve`, { json: {} })).status, 400);
    assert.equal((await api(`/failures/${a.id}/resolve`, { json: { note: '  ' } })).status, 400);
    assert.equal((await api('/failures/abc/resolve', { json: { note: 'x' } })).status, 400);
    assert.equal((await store.failures.listOpen()).length, 1);
  });

  it('answers 401 without the admin token', async () => {
    const { app } = await setUp();
    const response = await app.request('/api/failures/1/resolve', {
      method: 'POST',
      body: JSON.stringify({ note: 'x' }),
    });
    assert.equal(response.status, 401);
  });
});
