import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createSecretBox, openStore, type Store } from '../store/index.ts';
import { createApp, createMetrics } from './index.ts';

const token = 'admin-token-for-tests-0123456789';

describe('HTTP server', () => {
  let store: Store;
  let app: ReturnType<typeof createApp>;
  let metrics: ReturnType<typeof createMetrics>;
  const counts = [{ task: 'sync.person', lane: 'live', queued: 3, running: 1, failed: 2 }];
  const budget = {
    usage: { used: 4_200, max: 10_000 },
    share: 5_000,
    remaining: 800,
    paused: ['live', 'bulk'],
  };

  before(async () => {
    store = openStore({
      location: { kind: 'sqlite', file: ':memory:' },
      secretBox: createSecretBox(randomBytes(32)),
    });
    metrics = createMetrics(
      async () => counts,
      () => budget,
    );
    app = createApp({
      version: '9.9.9',
      databaseKind: 'sqlite',
      log: pino({ level: 'silent' }),
      metrics,
      database: store,
      settings: store.settings,
      events: store.events,
      ledger: { ...store, requeue: () => Promise.reject(new Error('not in these tests')) },
      jobs: {
        counts: async () => counts,
        failed: async () => [{ id: '7', task: 'sync.person', attempts: 5, lastError: 'boom' }],
      },
      webhooks: {
        verify: () => false,
        store: () => Promise.reject(new Error('not in these tests')),
        enqueue: async () => {},
      },
      isAdminToken: (candidate) => candidate === token,
      budget: () => ({ level: 'live_paused', paused: budget.paused }),
    });
  });
  after(() => store.close());

  const api = (path: string, init: RequestInit = {}) =>
    app.request(path, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
    });

  it('answers /healthz while the process lives', async () => {
    const response = await app.request('/healthz');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok', version: '9.9.9' });
  });

  it('is not ready until the migrations are applied', async () => {
    const before = await app.request('/readyz');
    assert.equal(before.status, 503);
    const body = (await before.json()) as {
      error: { code: string; details: Record<string, string> };
    };
    assert.equal(body.error.code, 'not_ready');
    assert.match(body.error.details['migrations']!, /^pending: 1/);
    await store.migrate();
    const afterMigrate = await app.request('/readyz');
    assert.equal(afterMigrate.status, 200);
    assert.deepEqual(await afterMigrate.json(), {
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok' },
    });
  });

  it('exposes job counts, job durations and process metrics to Prometheus', async () => {
    metrics.observeJob('sync.person', 'live', 'completed', 42);
    const response = await app.request('/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    assert.match(text, /tandem_jobs_queued\{task="sync.person",lane="live"\} 3/);
    assert.match(text, /tandem_jobs_running\{task="sync.person",lane="live"\} 1/);
    assert.match(text, /tandem_jobs_failed\{task="sync.person",lane="live"\} 2/);
    assert.match(
      text,
      /tandem_job_duration_seconds_count\{task="sync.person",lane="live",outcome="completed"\} 1/,
    );
    assert.match(text, /tandem_process_resident_memory_bytes \d+/);
  });

  it('exposes the API budget to Prometheus and in the status', async () => {
    const text = await (await app.request('/metrics')).text();
    assert.match(text, /^tandem_salesforce_api_used 4200$/m);
    assert.match(text, /^tandem_salesforce_api_max 10000$/m);
    assert.match(text, /^tandem_salesforce_api_share 5000$/m);
    assert.match(text, /^tandem_salesforce_api_share_remaining 800$/m);
    assert.match(text, /^tandem_budget_lane_paused\{lane="interactive"\} 0$/m);
    assert.match(text, /^tandem_budget_lane_paused\{lane="live"\} 1$/m);
    assert.match(text, /^tandem_budget_lane_paused\{lane="bulk"\} 1$/m);
    const status = await app.request('/api/status', {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.deepEqual(((await status.json()) as { budget: unknown }).budget, {
      level: 'live_paused',
      paused: ['live', 'bulk'],
    });
  });

  it('refuses the admin API without the bearer token, in the error envelope', async () => {
    for (const headers of [
      {},
      { Authorization: 'Bearer wrong-token' },
      { Authorization: 'Basic abc' },
    ]) {
      const response = await app.request('/api/status', { headers });
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'unauthorized');
      assert.ok(body.error.message.length > 0);
    }
  });

  it('changes settings through the admin API and keeps their history', async () => {
    const put = await api('/api/settings/lead.creation', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'X-Tandem-Author': 'alice@example.com' },
      body: JSON.stringify({ value: { enabled: true } }),
    });
    assert.equal(put.status, 200);
    const stale = await api('/api/settings/lead.creation', {
      method: 'PUT',
      body: JSON.stringify({ value: false, expectedVersion: 0 }),
    });
    assert.equal(stale.status, 409);
    assert.equal(
      ((await stale.json()) as { error: { code: string } }).error.code,
      'version_conflict',
    );
    const history = (await (await api('/api/settings/lead.creation/history')).json()) as {
      data: { version: number; changedBy: string }[];
    };
    assert.deepEqual(
      history.data.map((h) => [h.version, h.changedBy]),
      [[1, 'alice@example.com']],
    );
  });

  it('refuses a malformed settings body with the reason', async () => {
    const notJson = await api('/api/settings/x', { method: 'PUT', body: '{oops' });
    assert.equal(notJson.status, 400);
    assert.equal(
      ((await notJson.json()) as { error: { code: string } }).error.code,
      'invalid_json',
    );
    const wrongShape = await api('/api/settings/x', {
      method: 'PUT',
      body: JSON.stringify({ nothing: 1 }),
    });
    assert.equal(wrongShape.status, 400);
    const body = (await wrongShape.json()) as {
      error: { code: string; details: { path: string }[] };
    };
    assert.equal(body.error.code, 'invalid_body');
    assert.equal(body.error.details[0]?.path, 'value');
  });

  it('lists ledger events and exhausted jobs', async () => {
    await store.events.append({ kind: 'link.created', subject: 'person:1' });
    const events = (await (await api('/api/events?kind=link.created')).json()) as {
      data: { subject: string }[];
    };
    assert.deepEqual(
      events.data.map((e) => e.subject),
      ['person:1'],
    );
    const failed = (await (await api('/api/jobs/failed')).json()) as {
      data: { lastError: string }[];
    };
    assert.equal(failed.data[0]?.lastError, 'boom');
  });

  it('answers unknown routes with a 404 in the error envelope', async () => {
    const response = await app.request('/nope');
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'not_found');
  });
});
