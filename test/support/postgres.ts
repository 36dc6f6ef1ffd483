import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL for the suites that need it. Without a server they are skipped with a notice,
 * unless TANDEM_REQUIRE_POSTGRES=1 (set by .ci/run), where the absence is a failure.
 */
export const postgresUrl =
  process.env['TANDEM_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const required = process.env['TANDEM_REQUIRE_POSTGRES'] === '1';

let probe: Promise<string | undefined> | undefined;

/** Resolves to undefined when PostgreSQL answers, or to the reason it does not. */
function unavailableReason(): Promise<string | undefined> {
  probe ??= (async () => {
    const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (error) {
      return `PostgreSQL at ${postgresUrl} is not reachable (${(error as Error).message})`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return probe;
}

/**
 * The `skip` option for a PostgreSQL suite: false when it can run, otherwise the reason.
 * Throws when PostgreSQL is required but missing, so the suite fails instead of skipping.
 */
export async function skipWithoutPostgres(): Promise<false | string> {
  const reason = await unavailableReason();
  if (reason === undefined) return false;
  if (required) throw new Error(`${reason}, and TANDEM_REQUIRE_POSTGRES=1 requires it`);
  return `skipped: ${reason}`;
}

export interface TestSchema {
  readonly name: string;
  drop(): Promise<void>;
}

/** A schema of its own for one suite, so suites running side by side never see each other. */
export async function createTestSchema(prefix: string): Promise<TestSchema> {
  const name = `t_${prefix}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${name}`);
  } finally {
    await client.end();
  }
  return {
    name,
    async drop() {
      const dropper = new pg.Client({ connectionString: postgresUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      } finally {
        await dropper.end();
      }
    },
  };
}
