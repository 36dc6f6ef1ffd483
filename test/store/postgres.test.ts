import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSecretBox, migrations, openStore } from '../../src/store/index.ts';
import {
  createTestSchema,
  postgresUrl,
  skipWithoutPostgres,
  type TestSchema,
} from '../support/postgres.ts';
import { storeContract } from './contract.ts';

const skip = await skipWithoutPostgres();
let schema: TestSchema | undefined;
storeContract({
  name: 'PostgreSQL',
  skip,
  location: async () => {
    schema ??= await createTestSchema('store');
    return { kind: 'postgres', url: postgresUrl, schema: schema.name };
  },
  cleanup: async () => schema?.drop(),
});

describe('PostgreSQL migrations', { skip }, () => {
  it('applies each migration once when several processes start together', async () => {
    const fresh = await createTestSchema('migrate');
    const box = createSecretBox(randomBytes(32));
    const stores = Array.from({ length: 4 }, () =>
      openStore({
        location: { kind: 'postgres', url: postgresUrl, schema: fresh.name, poolSize: 2 },
        secretBox: box,
      }),
    );
    try {
      const results = await Promise.all(stores.map((store) => store.migrate()));
      const appliedIds = results.flatMap((result) => result.applied).sort();
      assert.deepEqual(appliedIds, migrations.map((m) => m.id).sort());
      assert.deepEqual((await stores[0]!.migrationStatus()).pending, []);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await fresh.drop();
    }
  });
});
