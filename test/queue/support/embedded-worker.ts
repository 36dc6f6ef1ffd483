// A process running the embedded engine on a SQLite file, for the crash test: it records each
// run's start and end in `crash_runs`, and with EXIT_WHEN_IDLE=1 stops once the queue is empty.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createEmbeddedEngine, type JobPayload } from '../../../src/queue/index.ts';
import { createSecretBox, openStore } from '../../../src/store/index.ts';

const file = process.env['TANDEM_TEST_SQLITE'] ?? '';
const store = openStore({
  location: { kind: 'sqlite', file },
  secretBox: createSecretBox(randomBytes(32)),
});
await store.migrate();
await sql`CREATE TABLE IF NOT EXISTS crash_runs (job INTEGER, pid INTEGER, started REAL, ended REAL)`.execute(
  store.db,
);

const engine = createEmbeddedEngine({
  store,
  concurrency: 4,
  leaseMs: Number(process.env['LEASE_MS'] ?? 1000),
  pollIntervalMs: 100,
  tasks: {
    work: async (payload: JobPayload) => {
      const job = Number(payload['n']);
      const started = Date.now();
      await sql`INSERT INTO crash_runs (job, pid, started) VALUES (${job}, ${process.pid}, ${started})`.execute(
        store.db,
      );
      await sleep(15);
      await sql`UPDATE crash_runs SET ended = ${Date.now()} WHERE job = ${job} AND pid = ${process.pid} AND started = ${started}`.execute(
        store.db,
      );
    },
  },
});
await engine.start();
console.log('started');

if (process.env['EXIT_WHEN_IDLE'] === '1') {
  while ((await engine.stats()).some((row) => row.queued + row.running > 0)) await sleep(100);
  await engine.stop();
  await store.close();
} else {
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await engine.stop();
  await store.close();
}
