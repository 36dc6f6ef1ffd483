import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LinkSyncState } from '../../src/core/index.ts';
import type { Link, LinkWrite, Store } from '../../src/store/index.ts';

/** What the sync-state suite needs from the store contract around it. */
export interface SyncStateFixture {
  store(): Store;
  /** Moves the store's clock forward and returns the new time. */
  advance(ms: number): number;
}

const state = (hash: string): LinkSyncState => ({
  baseline: { Email: 'ada@example.com', Phone: null },
  intercom: { hash, written: false },
  salesforce: { hash: `${hash}-sf`, written: true },
});

function linked(write: LinkWrite): Link {
  assert.ok(write.ok, `expected the write to succeed, got ${JSON.stringify(write)}`);
  return write.link;
}

/** Links, inbox, checkpoints and failures: run by the store contract on every adapter. */
export function syncStateContract(fixture: SyncStateFixture): void {
  const s = () => fixture.store();

  describe('identity links', () => {
    it('creates a link and finds it from either side', async () => {
      const at = fixture.advance(1000);
      const link = linked(
        await s().links.create({
          intercomId: 'ic-1',
          salesforceId: '00Q000000000001AAA',
          salesforceType: 'Lead',
        }),
      );
      assert.equal(link.version, 1);
      assert.equal(link.state, null);
      assert.equal(link.createdAt.getTime(), at);
      assert.deepEqual(await s().links.findByIntercomId('ic-1'), link);
      assert.deepEqual(await s().links.findBySalesforceId('00Q000000000001AAA'), link);
      assert.equal(await s().links.findByIntercomId('ic-unknown'), undefined);
    });

    it('refuses a second live link for either record and names the one holding it', async () => {
      const first = linked(
        await s().links.create({
          intercomId: 'ic-2',
          salesforceId: '003000000000002AAA',
          salesforceType: 'Contact',
        }),
      );
      for (const attempt of [
        { intercomId: 'ic-2', salesforceId: '003000000000099AAA' },
        { intercomId: 'ic-99', salesforceId: '003000000000002AAA' },
      ]) {
        const write = await s().links.create({ ...attempt, salesforceType: 'Contact' });
        assert.ok(!write.ok && write.reason === 'already_linked');
        assert.equal(write.existing.id, first.id);
      }
      assert.equal(await s().links.findByIntercomId('ic-99'), undefined);
    });

    it('lets only one of two simultaneous links of the same person win', async () => {
      const writes = await Promise.all(
        ['00Q0000000000R1AAA', '00Q0000000000R2AAA'].map((salesforceId) =>
          s().links.create({ intercomId: 'ic-race', salesforceId, salesforceType: 'Lead' }),
        ),
      );
      assert.equal(writes.filter((w) => w.ok).length, 1);
      assert.equal(writes.filter((w) => !w.ok && w.reason === 'already_linked').length, 1);
    });

    it('links many pairs at once, refusing those whose record is already linked, and finds them in bulk', async () => {
      const many = Array.from({ length: 450 }, (_, i) => ({
        intercomId: `ic-many-${i}`,
        salesforceId: `00Q00000000M${String(i).padStart(3, '0')}AAA`,
        salesforceType: 'Lead' as const,
        state: i === 0 ? state('h0') : null,
      }));
      const taken = {
        intercomId: 'ic-2',
        salesforceId: '00Q00000000MXXXAAA',
        salesforceType: 'Lead' as const,
      };
      const { created, refused } = await s().links.createMany([...many, taken]);
      assert.equal(created.length, 450);
      assert.deepEqual(refused, [taken]);
      assert.deepEqual(created.find((l) => l.intercomId === 'ic-many-0')?.state, state('h0'));
      const found = await s().links.findManyByIntercomIds(many.map((l) => l.intercomId));
      assert.equal(found.length, 450);
      const bySalesforce = await s().links.findManyBySalesforceIds([
        '00Q00000000M007AAA',
        '00Q0000000000NOAAA',
      ]);
      assert.deepEqual(
        bySalesforce.map((l) => l.intercomId),
        ['ic-many-7'],
      );
    });

    it('stores the sync state only against the version it was read at', async () => {
      const link = linked(
        await s().links.create({
          intercomId: 'ic-3',
          salesforceId: '00Q000000000003AAA',
          salesforceType: 'Lead',
        }),
      );
      const updated = linked(await s().links.updateState(link.id, link.version, state('h1')));
      assert.equal(updated.version, 2);
      assert.deepEqual(updated.state, state('h1'));
      const stale = await s().links.updateState(link.id, link.version, state('h2'));
      assert.ok(!stale.ok && stale.reason === 'version_conflict');
      assert.equal(stale.current.version, 2);
      assert.deepEqual((await s().links.get(link.id))?.state, state('h1'));
      const missing = await s().links.updateState(987_654, 1, state('h3'));
      assert.deepEqual(missing, { ok: false, reason: 'not_found' });
    });

    it('moves a converted Lead’s link to its Contact, keeping the state', async () => {
      const link = linked(
        await s().links.create({
          intercomId: 'ic-4',
          salesforceId: '00Q000000000004AAA',
          salesforceType: 'Lead',
          state: state('h4'),
        }),
      );
      const moved = linked(
        await s().links.move(
          link.id,
          { system: 'salesforce', id: '003000000000004AAA', type: 'Contact' },
          { expectedVersion: link.version },
        ),
      );
      assert.equal(moved.salesforceType, 'Contact');
      assert.equal(moved.version, link.version + 1);
      assert.deepEqual(moved.state, state('h4'));
      assert.equal(await s().links.findBySalesforceId('00Q000000000004AAA'), undefined);
      assert.equal((await s().links.findBySalesforceId('003000000000004AAA'))?.id, link.id);
    });

    it('moves the Intercom side of a link (a lead merged into a user) and may reset the state', async () => {
      const link = linked(
        await s().links.create({
          intercomId: 'ic-lead-5',
          salesforceId: '00Q000000000005AAA',
          salesforceType: 'Lead',
          state: state('h5'),
        }),
      );
      const moved = linked(
        await s().links.move(link.id, { system: 'intercom', id: 'ic-user-5' }, { state: null }),
      );
      assert.equal(moved.intercomId, 'ic-user-5');
      assert.equal(moved.state, null);
      assert.equal(await s().links.findByIntercomId('ic-lead-5'), undefined);
    });

    it('refuses to move a link onto a record another link holds, or from a stale version', async () => {
      const a = linked(
        await s().links.create({
          intercomId: 'ic-6a',
          salesforceId: '00Q000000000006AAA',
          salesforceType: 'Lead',
        }),
      );
      const b = linked(
        await s().links.create({
          intercomId: 'ic-6b',
          salesforceId: '003000000000006AAA',
          salesforceType: 'Contact',
        }),
      );
      const taken = await s().links.move(a.id, {
        system: 'salesforce',
        id: b.salesforceId,
        type: 'Contact',
      });
      assert.ok(!taken.ok && taken.reason === 'already_linked');
      assert.equal(taken.existing.id, b.id);
      const stale = await s().links.move(
        a.id,
        { system: 'intercom', id: 'ic-6c' },
        { expectedVersion: a.version + 5 },
      );
      assert.ok(!stale.ok && stale.reason === 'version_conflict');
      assert.equal((await s().links.get(a.id))?.intercomId, 'ic-6a');
    });

    it('drops a link with its reason, frees both records and keeps the row', async () => {
      const link = linked(
        await s().links.create({
          intercomId: 'ic-7',
          salesforceId: '00Q000000000007AAA',
          salesforceType: 'Lead',
        }),
      );
      const at = fixture.advance(1000);
      const dropped = linked(await s().links.drop(link.id, 'salesforce_deleted'));
      assert.equal(dropped.droppedAt?.getTime(), at);
      assert.equal(dropped.dropReason, 'salesforce_deleted');
      assert.equal(await s().links.findByIntercomId('ic-7'), undefined);
      assert.equal((await s().links.get(link.id))?.dropReason, 'salesforce_deleted');
      assert.deepEqual(await s().links.drop(link.id, 'again'), {
        ok: false,
        reason: 'not_found',
      });
      assert.deepEqual(await s().links.updateState(link.id, dropped.version, state('x')), {
        ok: false,
        reason: 'not_found',
      });
      const relinked = linked(
        await s().links.create({
          intercomId: 'ic-7',
          salesforceId: '00Q000000000007AAA',
          salesforceType: 'Lead',
        }),
      );
      assert.notEqual(relinked.id, link.id);
    });

    it('drops every live link when the identifier setting changes', async () => {
      const before = (await s().links.list({ limit: 1000 })).length;
      assert.ok(before > 0);
      assert.equal(await s().links.dropAll('identifier_setting_changed'), before);
      assert.deepEqual(await s().links.list(), []);
      assert.equal(await s().links.findByIntercomId('ic-3'), undefined);
    });
  });

  describe('inbox', () => {
    const event = (eventId: string, recordKey: string | null = 'intercom:contact:c1') => ({
      source: 'intercom' as const,
      topic: 'contact.user.updated',
      eventId,
      recordKey,
      body: `{"id":"${eventId}","topic":"contact.user.updated"}`,
    });

    it('stores an event with its raw body and receipt time', async () => {
      const at = fixture.advance(1000);
      const { event: stored, duplicate } = await s().inbox.add(event('notif_1'));
      assert.equal(duplicate, false);
      assert.equal(stored.receivedAt.getTime(), at);
      assert.equal(stored.body, '{"id":"notif_1","topic":"contact.user.updated"}');
      assert.equal(stored.processedAt, null);
      assert.deepEqual(await s().inbox.get(stored.id), stored);
    });

    it('stores a repeated delivery once', async () => {
      const first = await s().inbox.add(event('notif_2'));
      const again = await s().inbox.add({ ...event('notif_2'), body: '{"retried":true}' });
      assert.equal(again.duplicate, true);
      assert.equal(again.event.id, first.event.id);
      assert.equal(again.event.body, first.event.body);
      const other = await s().inbox.add({ ...event('notif_2'), source: 'salesforce' });
      assert.equal(other.duplicate, false);
    });

    it('stores one of two simultaneous deliveries of the same event', async () => {
      const results = await Promise.all([
        s().inbox.add(event('notif_x')),
        s().inbox.add(event('notif_x')),
      ]);
      assert.deepEqual(results.map((r) => r.duplicate).sort(), [false, true]);
      assert.equal(results[0].event.id, results[1].event.id);
    });

    it('marks a record’s events processed up to the one its job handled', async () => {
      const key = 'intercom:contact:burst';
      const ids: number[] = [];
      for (const n of [1, 2, 3]) ids.push((await s().inbox.add(event(`burst_${n}`, key))).event.id);
      assert.deepEqual(
        (await s().inbox.pending({ recordKey: key })).map((e) => e.id),
        ids,
      );
      const at = fixture.advance(1000);
      assert.equal(await s().inbox.markRecordProcessed(key, ids[1]!), 2);
      assert.deepEqual(
        (await s().inbox.pending({ recordKey: key })).map((e) => e.id),
        [ids[2]],
      );
      assert.equal((await s().inbox.get(ids[0]!))?.processedAt?.getTime(), at);
      assert.equal(await s().inbox.markProcessed([ids[2]!, ids[0]!]), 1);
      assert.deepEqual(await s().inbox.pending({ recordKey: key }), []);
    });
  });

  describe('checkpoints', () => {
    it('writes a checkpoint only against the version it was read at', async () => {
      assert.equal(await s().checkpoints.get('cdc.replay'), undefined);
      const first = await s().checkpoints.set('cdc.replay', { replayId: 41 }, 0);
      assert.equal(first?.version, 1);
      assert.equal(await s().checkpoints.set('cdc.replay', { replayId: 40 }, 0), undefined);
      const second = await s().checkpoints.set('cdc.replay', { replayId: 42 }, 1);
      assert.equal(second?.version, 2);
      assert.equal(await s().checkpoints.set('cdc.replay', { replayId: 40 }, 1), undefined);
      assert.deepEqual((await s().checkpoints.get('cdc.replay'))?.value, { replayId: 42 });
    });

    it('lets one of two writers from the same version win', async () => {
      const base = await s().checkpoints.set('race', 0, 0);
      const writes = await Promise.all(
        [1, 2].map((n) => s().checkpoints.set('race', n, base!.version)),
      );
      assert.equal(writes.filter((w) => w !== undefined).length, 1);
      assert.equal((await s().checkpoints.get('race'))?.version, 2);
    });

    it('overwrites without a version, still counting versions', async () => {
      const at = fixture.advance(1000);
      const a = await s().checkpoints.set('sweep.intercom', '2026-11-21T12:00:00Z');
      const b = await s().checkpoints.set('sweep.intercom', '2026-11-21T12:05:00Z');
      assert.equal(a?.version, 1);
      assert.equal(b?.version, 2);
      assert.equal(b?.updatedAt.getTime(), at);
      assert.deepEqual(
        (await s().checkpoints.list()).map((c) => [c.name, c.value]),
        [
          ['cdc.replay', { replayId: 42 }],
          ['race', (await s().checkpoints.get('race'))?.value],
          ['sweep.intercom', '2026-11-21T12:05:00Z'],
        ],
      );
    });
  });

  describe('needs-attention failures', () => {
    const failure = (recordKey: string, message = 'Company: required field missing') => ({
      recordKey,
      system: 'salesforce' as const,
      operation: 'create_lead',
      category: 'validation' as const,
      errorCode: 'REQUIRED_FIELD_MISSING',
      message,
      fields: ['Company'],
      attempts: 5,
      payload: { recordKey },
    });

    it('records a failure with Salesforce’s error and the payload to replay', async () => {
      const at = fixture.advance(1000);
      const recorded = await s().failures.record(failure('intercom:contact:f1'));
      assert.equal(recorded.category, 'validation');
      assert.equal(recorded.errorCode, 'REQUIRED_FIELD_MISSING');
      assert.deepEqual(recorded.fields, ['Company']);
      assert.equal(recorded.attempts, 5);
      assert.equal(recorded.firstSeenAt.getTime(), at);
      assert.deepEqual(recorded.payload, { recordKey: 'intercom:contact:f1' });
      assert.equal(recorded.resolvedAt, null);
      assert.deepEqual(await s().failures.get(recorded.id), recorded);
    });

    it('counts a repeated failure on the open entry instead of adding one', async () => {
      const first = await s().failures.record(failure('intercom:contact:f2'));
      const at = fixture.advance(1000);
      const again = await s().failures.record({
        ...failure('intercom:contact:f2', 'still missing'),
        attempts: 1,
        errorCode: null,
        fields: [],
      });
      assert.equal(again.id, first.id);
      assert.equal(again.attempts, 6);
      assert.equal(again.message, 'still missing');
      assert.equal(again.errorCode, null);
      assert.equal(again.lastSeenAt.getTime(), at);
      assert.equal(again.firstSeenAt.getTime(), first.firstSeenAt.getTime());
      const other = await s().failures.record({
        ...failure('intercom:contact:f2'),
        operation: 'update_lead',
      });
      assert.notEqual(other.id, first.id);
    });

    it('keeps one open entry when the same failure is recorded twice at once', async () => {
      const [a, b] = await Promise.all([
        s().failures.record({ ...failure('intercom:contact:twice'), attempts: 1 }),
        s().failures.record({ ...failure('intercom:contact:twice'), attempts: 1 }),
      ]);
      assert.equal(a.id, b.id);
      const open = await s().failures.listOpen({ recordKey: 'intercom:contact:twice' });
      assert.deepEqual(
        open.map((f) => f.attempts),
        [2],
      );
      await s().failures.resolveRecord('intercom:contact:twice', 'synced');
    });

    it('lists open failures by system, record and category, and resolves them', async () => {
      await s().failures.record({
        ...failure('salesforce:Lead:f3'),
        system: 'intercom',
        category: 'limit',
        operation: 'update_contact',
      });
      const open = await s().failures.listOpen();
      assert.ok(open.length >= 3);
      assert.deepEqual(
        (await s().failures.listOpen({ system: 'intercom' })).map((f) => f.recordKey),
        ['salesforce:Lead:f3'],
      );
      assert.deepEqual(
        (await s().failures.listOpen({ category: 'limit' })).map((f) => f.operation),
        ['update_contact'],
      );
      const f2 = await s().failures.listOpen({ recordKey: 'intercom:contact:f2' });
      assert.equal(f2.length, 2);
      assert.equal(await s().failures.resolveRecord('intercom:contact:f2', 'synced'), 2);
      assert.deepEqual(await s().failures.listOpen({ recordKey: 'intercom:contact:f2' }), []);
      const history = await s().failures.forRecord('intercom:contact:f2');
      assert.deepEqual(
        history.map((f) => f.resolution),
        ['synced', 'synced'],
      );
      const [f3] = await s().failures.listOpen({ system: 'intercom' });
      assert.equal(await s().failures.resolve([f3!.id], 'dismissed'), 1);
      assert.equal(await s().failures.resolve([f3!.id], 'dismissed'), 0);
    });

    it('takes selected failures off the list once for replay, and opens a new entry if it fails again', async () => {
      const a = await s().failures.record(failure('intercom:contact:r1'));
      const b = await s().failures.record(failure('intercom:contact:r2'));
      const [taken, twice] = await Promise.all([
        s().failures.replay({ ids: [a.id] }),
        s().failures.replay({ ids: [a.id] }),
      ]);
      assert.deepEqual(
        [...taken!, ...twice!].map((f) => [f.id, f.resolution]),
        [[a.id, 'replayed']],
      );
      const again = await s().failures.record(failure('intercom:contact:r1'));
      assert.notEqual(again.id, a.id);
      assert.equal(again.attempts, 5);
      const all = await s().failures.replay({ all: true });
      assert.ok(all.some((f) => f.id === b.id) && all.some((f) => f.id === again.id));
      assert.deepEqual(await s().failures.listOpen(), []);
      assert.deepEqual(await s().failures.replay({ ids: [] }), []);
    });
  });
}
