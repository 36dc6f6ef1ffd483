import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createPostgresEngine, type JobEngine, type JobPayload } from '../../src/queue/index.ts';
import { skipWithoutPostgres } from '../support/postgres.ts';
import { jobEngineContract } from './contract.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { gate, sleep, waitFor } from './support/wait.ts';

describe('PostgreSQL job engine', { skip: await skipWithoutPostgres() }, () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase('queue');
  });
  after(() => database.drop());

  // Each test gets a fresh graphile-worker schema; the tests of this suite run one at a time,
  // so one installing its schema never stops another's workers (see createTestDatabase).
  jobEngineContract('PostgreSQL (graphile-worker)', async () => {
    const schema = `t_queue_${randomBytes(4).toString('hex')}`;
    return {
      engine: (options) =>
        createPostgresEngine({ ...options, connectionString: database.url, schema, poolSize: 5 }),
      async close() {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  });
});

describe('PostgreSQL job engine with a local queue', { skip: await skipWithoutPostgres() }, () => {
  let database: TestDatabase;
  const schema = `t_queue_${randomBytes(4).toString('hex')}`;
  const engines: JobEngine[] = [];
  before(async () => {
    database = await createTestDatabase('queue_local');
  });
  after(async () => {
    for (const engine of engines) await engine.stop();
    await database.drop();
  });

  it('never runs a fetched-ahead keyed job that a newer job with its key superseded, beside or after that job', async () => {
    const blocker = gate();
    const newer = gate();
    const runs: { n: unknown; start: number; end?: number }[] = [];
    const tasks = {
      block: () => blocker.promise,
      sync: async (payload: JobPayload) => {
        const run: { n: unknown; start: number; end?: number } = {
          n: payload['n'],
          start: performance.now(),
        };
        runs.push(run);
        if (payload['n'] === 2) await newer.promise;
        run.end = performance.now();
      },
    };
    const engine = (localQueueSize: number) => {
      const built = createPostgresEngine({
        tasks,
        connectionString: database.url,
        schema,
        poolSize: 4,
        concurrency: 1,
        localQueueSize,
        pollIntervalMs: 50,
        keyBusyDelayMs: 50,
        backoff: { baseMs: 50 },
      });
      engines.push(built);
      return built;
    };
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      // The first process takes the blocking job and fetches the keyed one ahead, locked.
      const first = engine(4);
      await first.add('block', {}, { lane: 'interactive' });
      await first.add('sync', { n: 1 }, { jobKey: 'contact:1', lane: 'live', maxAttempts: 5 });
      await first.start();
      const fetched = async () =>
        (
          await db.query(
            `SELECT 1 FROM ${schema}._private_jobs WHERE key = 'contact:1' AND locked_at IS NOT NULL`,
          )
        ).rowCount === 1;
      await waitFor('the keyed job to be fetched ahead', fetched);

      // A change arrives: a newer job with the key, which the second process starts.
      await first.add('sync', { n: 2 }, { jobKey: 'contact:1', lane: 'live' });
      const second = engine(0);
      await second.start();
      await waitFor('the newer job to start', () => runs.some((run) => run.n === 2));

      // The first process gets to its fetched job while the newer one still runs.
      blocker.open();
      await sleep(600);
      newer.open();
      await waitFor('the newer job to end', () => runs.every((run) => run.end !== undefined));
      await sleep(300);
      assert.deepEqual(
        runs.map((run) => run.n),
        [2],
        'the superseded job did not run: the newer one did its work',
      );
    } finally {
      await db.end();
    }
  });
});
