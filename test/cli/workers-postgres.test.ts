import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createPostgresEngine } from '../../src/queue/index.ts';
import { probeTask } from '../../src/runtime/tasks.ts';
import { runTandem, spawnTandem } from '../support/cli.ts';
import { skipWithoutPostgres } from '../support/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../queue/support/database.ts';
import { waitFor } from '../queue/support/wait.ts';

const total = 20_000;
// A few slow jobs, so that the worker to be killed is surely in the middle of one.
const isLong = (n: number) => n % 1000 === 0;

// Every run of a probe job, from the ledger: when it started and, unless cut off, ended.
const runs = `
  WITH started AS (
    SELECT subject, data::jsonb->>'worker' AS worker, data::jsonb->>'attempt' AS attempt, at
    FROM events WHERE kind = 'probe.started'),
  completed AS (
    SELECT subject, data::jsonb->>'worker' AS worker, data::jsonb->>'attempt' AS attempt, at
    FROM events WHERE kind = 'probe.completed')
  SELECT s.subject AS job, s.worker, s.at AS started, c.at AS ended
  FROM started s LEFT JOIN completed c USING (subject, worker, attempt)`;

describe('tandem worker on PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  let database: TestDatabase;
  let db: pg.Client;
  const workers: ChildProcess[] = [];

  before(async () => {
    database = await createTestDatabase('workers');
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

  it('four worker processes complete 20,000 jobs, none twice at once, and a SIGKILLed worker’s jobs on the others', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tandem-workers-'));
    const env = {
      DATABASE_URL: database.url,
      TANDEM_SECRET_KEY: 'cd'.repeat(32),
      TANDEM_JOB_LEASE_MS: '3000',
      TANDEM_CONCURRENCY: '4',
      TANDEM_LOG_LEVEL: 'warn',
      TANDEM_LOG_FORMAT: 'json',
    };
    const migrated = await runTandem(['migrate'], { cwd, env });
    assert.equal(migrated.code, 0, migrated.stderr);

    const producer = createPostgresEngine({ connectionString: database.url, tasks: {} });
    for (let from = 0; from < total; from += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          producer.add(probeTask, { probe: String(from + i), workMs: isLong(from + i) ? 3000 : 2 }),
        ),
      );
    }
    await producer.stop();

    for (let i = 0; i < 4; i++) workers.push(spawnTandem(['worker'], { cwd, env }));
    const crashed = new Promise<never>((_resolve, reject) => {
      for (const worker of workers) {
        let stderr = '';
        worker.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        worker.once('exit', (code, signal) => {
          if (signal === null && code !== 0)
            reject(new Error(`a worker exited with ${code}: ${stderr}`));
        });
      }
    });
    crashed.catch(() => {});
    const until = (what: string, check: () => Promise<boolean>, timeoutMs?: number) =>
      Promise.race([waitFor(what, check, timeoutMs), crashed]);

    const victim = workers[0]!;
    const victimRuns = `%:${victim.pid}:%`;
    await until(
      'a quarter of the jobs to complete',
      async () =>
        (await scalar(`SELECT count(*) AS n FROM events WHERE kind = 'probe.completed'`)) >=
        total / 4,
      90_000,
    );
    // A slow job the victim started within the last second still has two seconds to run:
    // killing now surely cuts it off, however slow this machine is at the moment.
    const freshSlowRuns = `SELECT count(*) AS n FROM (${runs}) r
      WHERE ended IS NULL AND worker LIKE $1 AND substr(job, 7)::int % 1000 = 0 AND started > $2`;
    await until(
      'the victim to start a slow job',
      async () => (await scalar(freshSlowRuns, [victimRuns, Date.now() - 1000])) > 0,
      90_000,
    );
    victim.kill('SIGKILL');
    await once(victim, 'exit');
    const killedAt = Date.now();
    const interrupted = await scalar(
      `SELECT count(*) AS n FROM (${runs}) r WHERE ended IS NULL AND worker LIKE $1`,
      [victimRuns],
    );
    assert.ok(interrupted > 0, 'the victim was killed while running jobs');

    await until(
      'every job to complete',
      async () =>
        (await scalar(
          `SELECT count(DISTINCT subject) AS n FROM events WHERE kind = 'probe.completed'`,
        )) === total,
      120_000,
    );
    const survivors = workers.slice(1);
    for (const worker of survivors) worker.kill('SIGTERM');
    const codes = await Promise.all(
      survivors.map(
        async (worker) => (worker.exitCode ?? (await once(worker, 'exit'))[0]) as number,
      ),
    );
    assert.deepEqual(codes, [0, 0, 0], 'the survivors stop cleanly on SIGTERM');

    // Two runs of one job overlap when each starts before the other ends; a run cut off by the
    // kill ended when the kill happened.
    const overlaps = await scalar(
      `SELECT count(*) AS n FROM (${runs}) a JOIN (${runs}) b
         ON a.job = b.job AND (a.started, a.worker) < (b.started, b.worker)
       WHERE a.started < coalesce(b.ended, $1) AND b.started < coalesce(a.ended, $1)`,
      [killedAt],
    );
    assert.equal(overlaps, 0, 'no job ran twice at the same time');
    const recovered = await scalar(
      `SELECT count(DISTINCT a.job) AS n FROM (${runs}) a JOIN (${runs}) b
         ON a.job = b.job AND b.worker NOT LIKE $1 AND b.ended IS NOT NULL AND b.started >= $2
       WHERE a.ended IS NULL AND a.worker LIKE $1`,
      [victimRuns, killedAt],
    );
    assert.equal(
      recovered,
      interrupted,
      'every job the victim was running completed on another worker',
    );
    assert.equal(
      await scalar(`SELECT count(*) AS n FROM graphile_worker._private_jobs`),
      0,
      'no job is left in the queue',
    );
  });
});
