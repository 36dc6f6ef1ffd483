import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { backfillService } from '../backfill/index.ts';
import type { JobPayload } from '../queue/index.ts';
import { createSecretBox, openStore, type Store } from '../store/index.ts';
import { backfillRoutes } from './backfills.ts';

describe('/api/backfills', () => {
  let store: Store;
  let app: Hono;
  const added: { task: string; payload: JobPayload }[] = [];
  let clock = Date.parse('2026-11-21T10:00:00Z');

  before(async () => {
    store = openStore({
      location: { kind: 'sqlite', file: ':memory:' },
      secretBox: createSecretBox(randomBytes(32)),
      now: () => clock,
    });
    await store.migrate();
    const service = backfillService({
      backfills: store.backfills,
      jobs: {
        add: (task, payload) => {
          added.push({ task, payload });
          return Promise.resolve({ id: String(added.length) });
        },
      },
    });
    app = new Hono().route(
      '/api',
      backfillRoutes(service, () => clock),
    );
  });
  after(() => store.close());

  const post = (body: unknown) =>
    app.request('/api/backfills', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('starts a backfill and queues its job in the bulk lane', async () => {
    const res = await post({ direction: 'to_salesforce', objects: ['Lead'] });
    assert.equal(res.status, 202);
    const { data, resumed } = (await res.json()) as {
      data: Record<string, unknown>;
      resumed: boolean;
    };
    assert.equal(resumed, false);
    assert.equal(data['direction'], 'to_salesforce');
    assert.deepEqual(data['objects'], ['Lead']);
    assert.equal(data['status'], 'running');
    assert.deepEqual(added, [{ task: 'backfill.run', payload: { backfillId: data['id'] } }]);
  });

  it('picks the unfinished backfill up again instead of starting a second one', async () => {
    const res = await post({});
    assert.equal(res.status, 200);
    const { resumed } = (await res.json()) as { resumed: boolean };
    assert.equal(resumed, true);
    assert.equal((await store.backfills.list()).length, 1);
  });

  it('reports progress with the rate and the time left', async () => {
    const [backfill] = await store.backfills.list();
    clock += 10_000;
    await store.backfills.update(backfill!.id, { phase: 'from_intercom', total: 1000, done: 250 });
    const res = await app.request('/api/backfills');
    assert.equal(res.status, 200);
    const { data } = (await res.json()) as { data: Record<string, unknown>[] };
    assert.equal(data.length, 1);
    assert.equal(data[0]!['done'], 250);
    assert.equal(data[0]!['total'], 1000);
    assert.equal(data[0]!['rate'], 25);
    assert.equal(data[0]!['etaSeconds'], 30);
    assert.equal(data[0]!['phase'], 'from_intercom');
  });

  it('answers one backfill by id, and 404 for one that does not exist', async () => {
    const [backfill] = await store.backfills.list();
    const found = await app.request(`/api/backfills/${backfill!.id}`);
    assert.equal(found.status, 200);
    const missing = await app.request('/api/backfills/999');
    assert.equal(missing.status, 404);
  });

  it('refuses a start with an unknown direction or object, naming each problem', async () => {
    const res = await post({ direction: 'sideways', objects: ['Account'] });
    assert.equal(res.status, 400);
    const body = JSON.stringify(await res.json());
    assert.match(body, /direction/);
    assert.match(body, /objects/);
  });
});
