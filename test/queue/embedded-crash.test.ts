import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createEmbeddedEngine } from '../../src/queue/index.ts';
import { createSecretBox, openStore } from '../../src/store/index.ts';
import { waitFor } from './support/wait.ts';

const worker = join(import.meta.dirname, 'support', 'embedded-worker.ts');

function spawnWorker(file: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--disable-warning=ExperimentalWarning', worker], {
    env: { ...process.env, TANDEM_TEST_SQLITE: file, LEASE_MS: '1000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

describe('embedded job engine after a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-crash-'));
  const file = join(dir, 'tandem.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every job after the process is killed with SIGKILL mid-run and restarted', async () => {
    const store = openStore({
      location: { kind: 'sqlite', file },
      secretBox: createSecretBox(randomBytes(32)),
    });
    await store.migrate();
    await sql`CREATE TABLE IF NOT EXISTS crash_runs (job INTEGER, pid INTEGER, started REAL, ended REAL)`.execute(
      store.db,
    );
    const producer = createEmbeddedEngine({ store, tasks: {} });
    const total = 300;
    await Promise.all(Array.from({ length: total }, (_, n) => producer.add('work', { n })));
    const count = async (where: string) => {
      const result = await sql<{
        n: number;
      }>`SELECT count(*) AS n FROM crash_runs WHERE ${sql.raw(where)}`.execute(store.db);
      return Number(result.rows[0]?.n);
    };

    const first = spawnWorker(file);
    await waitFor(
      'the first worker to finish some jobs',
      async () => (await count('ended IS NOT NULL')) >= 60,
      30_000,
    );
    await waitFor('the first worker to be mid-run', async () => (await count(`ended IS NULL`)) > 0);
    first.kill('SIGKILL');
    await once(first, 'exit');
    const killedAt = Date.now();
    const interrupted = await count(`ended IS NULL AND pid = ${first.pid}`);
    assert.ok(interrupted > 0, 'the worker was killed while running jobs');

    const second = spawnWorker(file, { EXIT_WHEN_IDLE: '1' });
    const [code] = (await once(second, 'exit')) as [number | null];
    assert.equal(code, 0);

    assert.equal(
      await count('ended IS NOT NULL AND job IS NOT NULL'),
      await count('ended IS NOT NULL'),
    );
    const done = await sql<{
      n: number;
    }>`SELECT count(DISTINCT job) AS n FROM crash_runs WHERE ended IS NOT NULL`.execute(store.db);
    assert.equal(Number(done.rows[0]?.n), total, 'every job completed');
    const left = await sql<{ n: number }>`SELECT count(*) AS n FROM jobs`.execute(store.db);
    assert.equal(Number(left.rows[0]?.n), 0, 'no job is left, failed or stuck');
    // The interrupted runs ran again only after the first process was gone.
    const rerunEarly = await count(
      `pid <> ${first.pid} AND started < ${killedAt} AND job IN (SELECT job FROM crash_runs WHERE ended IS NULL)`,
    );
    assert.equal(rerunEarly, 0);
    await store.close();
  });
});
