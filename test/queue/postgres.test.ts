import { describe } from 'node:test';
import { createPostgresEngine } from '../../src/queue/index.ts';
import { createTestSchema, postgresUrl, skipWithoutPostgres } from '../support/postgres.ts';
import { jobEngineContract } from './contract.ts';

describe('PostgreSQL job engine', { skip: await skipWithoutPostgres() }, () => {
  jobEngineContract('PostgreSQL (graphile-worker)', async () => {
    const schema = await createTestSchema('queue');
    return {
      engine: (options) =>
        createPostgresEngine({ ...options, connectionString: postgresUrl, schema: schema.name }),
      close: () => schema.drop(),
    };
  });
});
