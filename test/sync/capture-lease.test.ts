import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createSecretBox, openStore, type Store } from '../../src/store/index.ts';
import { acquireLease, releaseLease } from '../../src/sync/capture/index.ts';
import {
  createTestSchema,
  postgresUrl,
  skipWithoutPostgres,
  type TestSchema,
} from '../support/postgres.ts';
import { openTestStore } from './capture-support.ts';

const ttl = 30_000;

/** The capture lease, run against each store. */
function leaseContract(
  name: string,
  skip: false | string,
  open: () => Promise<{ store: Store; close: () => Promise<void> }>,
) {
  describe(`the capture lease on ${name}`, { skip }, () => {
    let store: Store;
    let close: () => Promise<void>;
    before(async () => ({ store, close } = await open()));
    after(async () => close());

    it('goes to exactly one of two processes asking for it at the same moment', async () => {
      const now = 1_000_000;
      const results = await Promise.all([
        acquireLease(store.checkpoints, 'a', now, ttl),
        acquireLease(store.checkpoints, 'b', now, ttl),
      ]);
      assert.equal(results.filter(Boolean).length, 1);
      const holder = results[0] ? 'a' : 'b';
      const other = holder === 'a' ? 'b' : 'a';
      assert.equal(await acquireLease(store.checkpoints, holder, now + 1000, ttl), true, 'renewed');
      assert.equal(await acquireLease(store.checkpoints, other, now + 1000 + ttl - 1, ttl), false);
      assert.equal(
        await acquireLease(store.checkpoints, other, now + 1000 + ttl + 1, ttl),
        true,
        'taken over once expired',
      );
      assert.equal(await acquireLease(store.checkpoints, holder, now + 2000 + ttl, ttl), false);
      await releaseLease(store.checkpoints, other);
      assert.equal(
        await acquireLease(store.checkpoints, holder, now + 2001 + ttl, ttl),
        true,
        'free once released',
      );
    });
  });
}

leaseContract('SQLite', false, () => openTestStore());

const pgSkip = await skipWithoutPostgres();
let schema: TestSchema | undefined;
leaseContract('PostgreSQL', pgSkip, async () => {
  schema = await createTestSchema('capture');
  const store = openStore({
    location: { kind: 'postgres', url: postgresUrl, schema: schema.name, poolSize: 4 },
    secretBox: createSecretBox(randomBytes(32)),
  });
  await store.migrate();
  return {
    store,
    close: async () => {
      await store.close();
      await schema?.drop();
    },
  };
});
