import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createPostgresEngine } from '../../src/queue/index.ts';
import { skipWithoutPostgres } from '../support/postgres.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { waitFor } from './support/wait.ts';

const workerScript = join(import.meta.dirname, 'support', 'postgres-worker.ts');
const total = 20_000;

describe(
  'PostgreSQL job engine with 4 worker processes',
  { skip: await skipWithoutPostgres() },
  () => {
    let database: TestDatabase;
    let db: pg.Client;
    const workers: ChildProcess[] = [];

    before(async () => {
      database = await createTestDatabase('crash');
      db = new pg.Client({ connectionString: database.url });
      await db.connect();
    });

    after(async () => {
      for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
      await db.end();
      await database.drop();
    });

    const scalar = async (query: string, values: unknown[] = []) =>
      Number((await db.query<{ n: string }>(query, values)).rows[0]?.n);

    it('completes every job once, never twice at a time, and a killed worker’s jobs on the others', async () => {
      const s = 'tandem_jobs';
      const postgresUrl = database.url;
      const producer = createPostgresEngine({
        connectionString: postgresUrl,
        schema: s,
        tasks: {},
      });
      await producer.stats(); // installs graphile-worker's schema before the workers race to
      await db.query(`CREATE TABLE ${s}.crash_runs (
      id bigserial PRIMARY KEY, job int NOT NULL, worker text NOT NULL,
      started timestamptz NOT NULL, ended timestamptz)`);
      await Promise.all(Array.from({ length: total }, (_, n) => producer.add('work', { n })));
      await producer.stop();

      for (let i = 0; i < 4; i++) {
        const worker = spawn(
          process.execPath,
          ['--disable-warning=ExperimentalWarning', workerScript],
          {
            env: {
              ...process.env,
              DATABASE_URL: postgresUrl,
              TANDEM_QUEUE_SCHEMA: s,
              WORKER_NAME: `w${i}`,
              LEASE_MS: '3000',
            },
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        );
        workers.push(worker);
      }
      // A worker that dies on its own (say PostgreSQL refused the connection) fails the test now.
      const crashed = new Promise<never>((_resolve, reject) => {
        for (const worker of workers) {
          worker.once('exit', (code, signal) => {
            if (signal !== 'SIGKILL' && signal !== 'SIGTERM' && code !== 0) {
              reject(
                new Error(`a worker exited with ${code ?? signal} before the test stopped it`),
              );
            }
          });
        }
      });
      crashed.catch(() => {});
      const orCrash = (...args: Parameters<typeof waitFor>) =>
        Promise.race([waitFor(...args), crashed]);
      const [victim] = workers;
      await orCrash(
        'the workers to finish a quarter of the jobs',
        async () =>
          (await scalar(`SELECT count(*) AS n FROM ${s}.crash_runs WHERE ended IS NOT NULL`)) >=
          total / 4,
        60_000,
      );
      await orCrash(
        'the first worker to be running jobs',
        async () =>
          (await scalar(
            `SELECT count(*) AS n FROM ${s}.crash_runs WHERE ended IS NULL AND worker = 'w0'`,
          )) > 0,
      );
      victim!.kill('SIGKILL');
      await once(victim!, 'exit');
      const killedAt = (await db.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!
        .now;
      const interrupted = await scalar(
        `SELECT count(*) AS n FROM ${s}.crash_runs WHERE ended IS NULL AND worker = 'w0'`,
      );
      assert.ok(interrupted > 0, 'w0 was killed while running jobs');

      await orCrash(
        'every job to complete',
        async () =>
          (await scalar(
            `SELECT count(DISTINCT job) AS n FROM ${s}.crash_runs WHERE ended IS NOT NULL`,
          )) === total,
        90_000,
      );
      for (const worker of workers.slice(1)) worker.kill('SIGTERM');
      const codes = await Promise.all(
        workers.slice(1).map(async (worker) => (await once(worker, 'exit'))[0]),
      );
      assert.deepEqual(codes, [0, 0, 0], 'the survivors stop cleanly on SIGTERM');

      assert.equal(await scalar(`SELECT count(*) AS n FROM ${s}._private_jobs`), 0, 'no job left');
      // Two runs of one job overlap if each starts before the other ends; a run cut short by the
      // kill ends when the kill happened.
      const overlaps = await scalar(
        `SELECT count(*) AS n FROM ${s}.crash_runs a JOIN ${s}.crash_runs b
         ON a.job = b.job AND a.id < b.id
       WHERE a.started < coalesce(b.ended, $1) AND b.started < coalesce(a.ended, $1)`,
        [killedAt],
      );
      assert.equal(overlaps, 0, 'no job ran twice at the same time');
      const recovered = await scalar(
        `SELECT count(DISTINCT a.job) AS n FROM ${s}.crash_runs a JOIN ${s}.crash_runs b
         ON a.job = b.job AND b.worker <> 'w0' AND b.ended IS NOT NULL AND b.started > $1
       WHERE a.ended IS NULL AND a.worker = 'w0'`,
        [killedAt],
      );
      assert.equal(recovered, interrupted, 'every interrupted job completed on another worker');
      // At least once: only a job w0 finished but had not yet marked done may have run again.
      const completedTwice = await scalar(
        `SELECT count(*) AS n FROM (SELECT job FROM ${s}.crash_runs WHERE ended IS NOT NULL
         GROUP BY job HAVING count(*) > 1 AND bool_and(worker <> 'w0') OR count(*) > 2) twice`,
      );
      assert.equal(completedTwice, 0, 'no job completed twice, except one cut off by the kill');
    });
  },
);
