import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  createSecretBox,
  MigrationError,
  openStore,
  VersionConflictError,
  type Store,
  type StoreLocation,
} from '../../src/store/index.ts';
import { syncStateContract } from './sync-state-contract.ts';

/** Describes how a suite gets a fresh, empty database of one dialect. */
export interface StoreFixture {
  readonly name: string;
  readonly skip: false | string;
  location(): Promise<StoreLocation>;
  cleanup?(): Promise<void>;
}

/** The behaviour every store adapter must have. Runs once per adapter. */
export function storeContract(fixture: StoreFixture): void {
  describe(`store contract (${fixture.name})`, { skip: fixture.skip }, () => {
    let store: Store;
    let clock = 1_700_000_000_000;
    const key = randomBytes(32);

    before(async () => {
      store = openStore({
        location: await fixture.location(),
        secretBox: createSecretBox(key),
        now: () => clock,
      });
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await fixture.cleanup?.();
    });

    it('applies every migration once and reports none pending', async () => {
      const again = await store.migrate();
      assert.deepEqual(again.applied, []);
      const status = await store.migrationStatus();
      assert.deepEqual(status.pending, []);
      assert.deepEqual(status.altered, []);
      assert.ok(status.applied.some((m) => m.id === 1));
    });

    it('refuses to start when an applied migration was edited afterwards', async () => {
      await sql`UPDATE schema_migrations SET checksum = 'edited' WHERE id = 1`.execute(store.db);
      try {
        await assert.rejects(store.migrate(), (error: unknown) => {
          assert.ok(error instanceof MigrationError);
          assert.match(error.message, /001_foundation/);
          return true;
        });
        assert.equal((await store.migrationStatus()).altered.length, 1);
      } finally {
        const { checksum, migrations } = await import('../../src/store/migrations/index.ts');
        const first = migrations[0];
        assert.ok(first);
        await sql`UPDATE schema_migrations SET checksum = ${checksum(first, store.dialect)} WHERE id = 1`.execute(
          store.db,
        );
      }
    });

    it('keeps every version of a setting with its time and author', async () => {
      clock += 1000;
      const first = await store.settings.set(
        'matching.identifier',
        { salesforce: 'Email' },
        'alice',
      );
      clock += 1000;
      const second = await store.settings.set(
        'matching.identifier',
        { salesforce: 'Intercom_Id__c' },
        'bob',
      );
      assert.equal(first.version, 1);
      assert.equal(second.version, 2);
      const current = await store.settings.get('matching.identifier');
      assert.deepEqual(current?.value, { salesforce: 'Intercom_Id__c' });
      assert.equal(current?.updatedBy, 'bob');
      const history = await store.settings.history('matching.identifier');
      assert.deepEqual(
        history.map((h) => [h.version, h.changedBy, h.changedAt.getTime(), h.value]),
        [
          [1, 'alice', clock - 1000, { salesforce: 'Email' }],
          [2, 'bob', clock, { salesforce: 'Intercom_Id__c' }],
        ],
      );
    });

    it('refuses a setting change made against a stale version', async () => {
      await store.settings.set('lead.creation', true, 'alice', 0);
      await store.settings.set('lead.creation', false, 'bob', 1);
      await assert.rejects(
        store.settings.set('lead.creation', true, 'carol', 1),
        VersionConflictError,
      );
      assert.equal((await store.settings.get('lead.creation'))?.value, false);
    });

    it('records the removal of a setting in its history', async () => {
      await store.settings.set('temporary', 1, 'alice');
      await store.settings.remove('temporary', 'bob');
      assert.equal(await store.settings.get('temporary'), undefined);
      const history = await store.settings.history('temporary');
      assert.deepEqual(history.at(-1)?.value, null);
      assert.equal(history.at(-1)?.changedBy, 'bob');
    });

    it('stores credentials encrypted and reads them back', async () => {
      await store.credentials.put('salesforce.refresh_token', 'very-secret-refresh-token');
      assert.equal(
        await store.credentials.get('salesforce.refresh_token'),
        'very-secret-refresh-token',
      );
      const raw = await store.db
        .selectFrom('credentials')
        .select('sealed')
        .where('name', '=', 'salesforce.refresh_token')
        .executeTakeFirstOrThrow();
      assert.doesNotMatch(raw.sealed, /very-secret/);
      assert.deepEqual(await store.credentials.unreadable(), []);
    });

    it('reports credentials that the current key cannot open', async () => {
      await store.credentials.put('intercom.token', 'tok');
      const other = openStore({
        location: await fixture.location(),
        secretBox: createSecretBox(randomBytes(32)),
      });
      try {
        assert.ok((await other.credentials.unreadable()).includes('intercom.token'));
        await assert.rejects(other.credentials.get('intercom.token'), /TANDEM_SECRET_KEY/);
      } finally {
        await other.close();
      }
    });

    it('appends events to the ledger and lists them by kind and subject', async () => {
      const a = await store.events.append({
        kind: 'link.created',
        subject: 'person:1',
        data: { why: 'email' },
      });
      await store.events.append({ kind: 'record.updated', subject: 'person:1' });
      await store.events.append({ kind: 'link.created', subject: 'person:2' });
      assert.deepEqual(
        (await store.events.list({ subject: 'person:1' })).map((e) => e.kind),
        ['link.created', 'record.updated'],
      );
      assert.deepEqual(
        (await store.events.list({ kind: 'link.created', after: a.id })).map((e) => e.subject),
        ['person:2'],
      );
      assert.deepEqual(a.data, { why: 'email' });
    });

    it('appends many events at once, in order', async () => {
      const events = Array.from({ length: 450 }, (_, i) => ({
        kind: 'bulk.test',
        subject: `bulk:${i}`,
        data: { i },
      }));
      await store.events.appendMany(events);
      const listed = await store.events.list({ kind: 'bulk.test', limit: 1000 });
      assert.deepEqual(
        listed.map((e) => e.data['i']),
        events.map((e) => e.data.i),
      );
    });

    it('refuses to change or delete a ledger event', async () => {
      const event = await store.events.append({ kind: 'x' });
      await assert.rejects(
        sql`UPDATE events SET kind = 'y' WHERE id = ${event.id}`.execute(store.db),
        /append-only/,
      );
      await assert.rejects(
        sql`DELETE FROM events WHERE id = ${event.id}`.execute(store.db),
        /append-only/,
      );
    });

    syncStateContract({
      store: () => store,
      advance: (ms) => (clock += ms),
    });
  });
}
