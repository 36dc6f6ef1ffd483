// Job-engine throughput: add + run + complete with a no-op handler, timed from the first add
// to the last job gone from the queue. Embedded on a temporary SQLite file; PostgreSQL (one
// worker process) in a throwaway schema, skipped with a notice when PostgreSQL is unreachable.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createEmbeddedEngine, createPostgresEngine, type JobEngine } from '../src/queue/index.ts';
import { createSecretBox, openStore } from '../src/store/index.ts';
import { report } from './report.ts';

const postgresUrl =
  process.env['TANDEM_BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Adds `count` jobs, `parallel` adds in flight, and resolves when every one has run. */
async function measure(engine: JobEngine, count: number, parallel: number): Promise<number> {
  let done = 0;
  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  onDone = () => {
    done += 1;
    if (done === count) allDone();
  };
  await engine.start();
  const started = performance.now();
  let next = 0;
  const adder = async () => {
    while (next < count) {
      next += 1;
      await engine.add('noop', { n: next });
    }
  };
  await Promise.all(Array.from({ length: parallel }, adder));
  await finished;
  // Completion is recorded after the handler returns: wait until the queue is empty.
  while ((await engine.stats()).some((row) => row.queued + row.running > 0)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  await engine.stop({ graceMs: 5_000 });
  return count / seconds;
}

let onDone = () => {};
const tasks = { noop: async () => onDone() };

async function embedded(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  const store = openStore({
    location: { kind: 'sqlite', file: join(dir, 'tandem.db') },
    secretBox: createSecretBox(randomBytes(32)),
  });
  try {
    await store.migrate();
    const engine = createEmbeddedEngine({ store, tasks, concurrency: 64, batchSize: 64 });
    const jobsPerSecond = await measure(engine, 30_000, 64);
    report('embedded job engine', jobsPerSecond, 'jobs/s', { atLeast: 5000 });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One worker process; `fetchSize` is TANDEM_QUEUE_FETCH_SIZE. */
async function postgres(fetchSize: number): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    console.log(`skipped PostgreSQL job engine: ${(error as Error).message}`);
    return;
  }
  // A database of its own: installing graphile-worker announces a breaking migration
  // database-wide, which would stop the workers of anyone else's tests in the same database.
  const database = `bench_jobs_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  try {
    const engine = createPostgresEngine({
      connectionString: url.toString(),
      tasks,
      concurrency: 16,
      localQueueSize: fetchSize,
      poolSize: 24,
    });
    const jobsPerSecond = await measure(engine, 20_000, 64);
    report(
      `PostgreSQL job engine (one worker process, TANDEM_QUEUE_FETCH_SIZE=${fetchSize})`,
      jobsPerSecond,
      'jobs/s',
      { atLeast: 1500 },
    );
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

await embedded();
// 16 is Tandem's default; 0 and 64 show the trade-off either side of it.
for (const fetchSize of [0, 16, 64]) await postgres(fetchSize);
