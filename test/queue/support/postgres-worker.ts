// A `tandem worker` stand-in for the crash test: build the PostgreSQL engine with its tasks,
// start, wait for SIGTERM/SIGINT, stop. The `work` task records each run's start and end (in
// the database's clock) so the test can look for overlapping runs of one job.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createPostgresEngine, type JobPayload } from '../../../src/queue/index.ts';

const connectionString = process.env['DATABASE_URL'] ?? '';
const schema = process.env['TANDEM_QUEUE_SCHEMA'] ?? '';
const worker = process.env['WORKER_NAME'] ?? String(process.pid);
// Few connections: several suites (and engineers) share one PostgreSQL and its max_connections.
const runs = new pg.Pool({ connectionString, max: 1 });
runs.on('error', () => {});

const engine = createPostgresEngine({
  connectionString,
  schema,
  concurrency: 4,
  poolSize: 4,
  leaseMs: Number(process.env['LEASE_MS'] ?? 3000),
  pollIntervalMs: 200,
  tasks: {
    work: async (payload: JobPayload) => {
      const started = await runs.query<{ id: string }>(
        `INSERT INTO ${schema}.crash_runs (job, worker, started) VALUES ($1, $2, clock_timestamp()) RETURNING id`,
        [payload['n'], worker],
      );
      await sleep(2);
      await runs.query(`UPDATE ${schema}.crash_runs SET ended = clock_timestamp() WHERE id = $1`, [
        started.rows[0]?.id,
      ]);
    },
  },
});

await engine.start();
console.log('started');
const signal = await new Promise<string>((resolve) => {
  process.once('SIGTERM', () => resolve('SIGTERM'));
  process.once('SIGINT', () => resolve('SIGINT'));
});
await engine.stop({ graceMs: 5_000 });
await runs.end();
console.log(`stopped on ${signal}`);
