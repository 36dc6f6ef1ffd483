import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { createPostgresEngine } from '../../src/queue/index.ts';
import { skipWithoutPostgres } from '../support/postgres.ts';
import { jobEngineContract } from './contract.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

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
