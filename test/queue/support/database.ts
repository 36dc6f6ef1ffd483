import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresUrl } from '../../support/postgres.ts';

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A database of its own, not just a schema: graphile-worker announces a fresh install on the
 * database-wide NOTIFY channel `worker:migrate` as a breaking migration, and every worker
 * listening in that database, whatever its schema, shuts down. Suites that install
 * graphile-worker while others run it would stop each other's workers.
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `t_${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: postgresUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
