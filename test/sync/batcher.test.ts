// The Salesforce write batcher with a fake connector and a hand-run scheduler: no timing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  err,
  ok,
  type Result,
  type SalesforceConnector,
  type Saved,
  type WritableRecord,
} from '../../src/connectors/index.ts';
import { createSalesforceBatcher, type Schedule } from '../../src/sync/salesforce-batcher.ts';

interface Call {
  readonly operation: 'create' | 'update' | 'upsert';
  readonly object: string;
  readonly field?: string;
  readonly records: readonly WritableRecord[];
}

/** Answers each record on its own: `bad: true` is refused, anything else saved as `id-<Name>`. */
function fakeConnector(options: { throws?: boolean } = {}) {
  const calls: Call[] = [];
  const answer = (records: readonly WritableRecord[]) => {
    if (options.throws) throw new Error('connector bug');
    return records.map((r) =>
      r['bad'] === true
        ? err({
            system: 'salesforce' as const,
            code: 'validation' as const,
            message: `bad ${String(r['Name'])}`,
          })
        : ok({ id: `id-${String(r['Name'] ?? r['Id'])}`, created: true }),
    );
  };
  const connector = {
    create: async (object: string, records: readonly WritableRecord[]) => {
      calls.push({ operation: 'create', object, records });
      return answer(records);
    },
    update: async (object: string, records: readonly WritableRecord[]) => {
      calls.push({ operation: 'update', object, records });
      return answer(records);
    },
    upsert: async (object: string, field: string, records: readonly WritableRecord[]) => {
      calls.push({ operation: 'upsert', object, field, records });
      return answer(records);
    },
  } as unknown as SalesforceConnector;
  return { connector, calls };
}

/** A scheduler the test runs by hand. */
function manualSchedule() {
  const pending: { run: () => void; ms: number; cancelled: boolean }[] = [];
  const schedule: Schedule = (run, ms) => {
    const task = { run, ms, cancelled: false };
    pending.push(task);
    return () => void (task.cancelled = true);
  };
  return {
    schedule,
    pending,
    live: () => pending.filter((t) => !t.cancelled),
    /** Fires every window scheduled so far. */
    fire() {
      for (const task of pending.splice(0)) if (!task.cancelled) task.run();
    },
  };
}

const idOf = (result: Result<Saved>): string => {
  assert.ok(result.ok, JSON.stringify(result));
  return result.value.id;
};

describe('the Salesforce write batcher', () => {
  it('sends N concurrent writes in ceil(N/200) collection calls and routes each result to its caller', async () => {
    for (const n of [1, 199, 200, 201, 450]) {
      const clock = manualSchedule();
      const { connector, calls } = fakeConnector();
      const writer = createSalesforceBatcher({ schedule: clock.schedule }).writer(connector);
      const answers = Array.from({ length: n }, (_, i) => writer.create('Lead', { Name: `p${i}` }));
      clock.fire();
      const results = await Promise.all(answers);
      assert.equal(calls.length, Math.ceil(n / 200), `${n} writes`);
      assert.ok(calls.every((c) => c.records.length <= 200));
      results.forEach((result, i) => assert.equal(idOf(result), `id-p${i}`));
    }
  });

  it('isolates a refused record: the others in its call are saved', async () => {
    const clock = manualSchedule();
    const { connector, calls } = fakeConnector();
    const writer = createSalesforceBatcher({ schedule: clock.schedule }).writer(connector);
    const answers = [
      writer.update('Contact', { Id: 'a', Name: 'a' }),
      writer.update('Contact', { Id: 'b', Name: 'b', bad: true }),
      writer.update('Contact', { Id: 'c', Name: 'c' }),
    ];
    clock.fire();
    const [a, b, c] = await Promise.all(answers);
    assert.equal(calls.length, 1);
    assert.equal(idOf(a!), 'id-a');
    assert.equal(idOf(c!), 'id-c');
    assert.equal(b?.ok, false);
    assert.equal(b?.ok ? undefined : b?.error.message, 'bad b');
  });

  it('waits for the window before sending, with one window per batch', async () => {
    const clock = manualSchedule();
    const { connector, calls } = fakeConnector();
    const writer = createSalesforceBatcher({ schedule: clock.schedule, windowMs: 7 }).writer(
      connector,
    );
    const first = writer.create('Lead', { Name: 'x' });
    const second = writer.create('Lead', { Name: 'y' });
    await Promise.resolve();
    assert.equal(calls.length, 0, 'nothing is sent before the window closes');
    assert.deepEqual(
      clock.live().map((t) => t.ms),
      [7],
    );
    clock.fire();
    assert.deepEqual(await Promise.all([first, second]).then((r) => r.map(idOf)), ['id-x', 'id-y']);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.records.length, 2);
  });

  it('sends a full batch at once and cancels its window', async () => {
    const clock = manualSchedule();
    const { connector, calls } = fakeConnector();
    const writer = createSalesforceBatcher({ schedule: clock.schedule, maxBatch: 3 }).writer(
      connector,
    );
    const answers = ['a', 'b', 'c'].map((name) => writer.create('Lead', { Name: name }));
    assert.equal(calls.length, 1, 'sent without waiting for the window');
    assert.equal(clock.live().length, 0, 'its window was cancelled');
    assert.deepEqual((await Promise.all(answers)).map(idOf), ['id-a', 'id-b', 'id-c']);
  });

  it('keeps operations, objects, external-ID fields and connectors in separate calls', async () => {
    const clock = manualSchedule();
    const one = fakeConnector();
    const two = fakeConnector();
    const batcher = createSalesforceBatcher({ schedule: clock.schedule });
    const w1 = batcher.writer(one.connector);
    const w2 = batcher.writer(two.connector);
    const answers = [
      w1.create('Lead', { Name: 'a' }),
      w1.create('Lead', { Name: 'b' }),
      w1.create('Contact', { Name: 'c' }),
      w1.update('Lead', { Id: 'd', Name: 'd' }),
      w1.upsert('Lead', 'Intercom_Id__c', { Intercom_Id__c: 'e', Name: 'e' }),
      w1.upsert('Lead', 'Other_Id__c', { Other_Id__c: 'f', Name: 'f' }),
      w1.upsert('Lead', 'Intercom_Id__c', { Intercom_Id__c: 'g', Name: 'g' }),
      w2.create('Lead', { Name: 'h' }),
    ];
    clock.fire();
    assert.deepEqual((await Promise.all(answers)).map(idOf), [
      'id-a',
      'id-b',
      'id-c',
      'id-d',
      'id-e',
      'id-f',
      'id-g',
      'id-h',
    ]);
    assert.deepEqual(
      one.calls.map((c) => `${c.operation} ${c.object} ${c.field ?? ''} ${c.records.length}`),
      [
        'create Lead  2',
        'create Contact  1',
        'update Lead  1',
        'upsert Lead Intercom_Id__c 2',
        'upsert Lead Other_Id__c 1',
      ],
    );
    assert.equal(two.calls.length, 1);
  });

  it('never puts the same record twice in one call', async () => {
    const clock = manualSchedule();
    const { connector, calls } = fakeConnector();
    const writer = createSalesforceBatcher({ schedule: clock.schedule }).writer(connector);
    const answers = [
      writer.update('Lead', { Id: 'same', Name: 'first' }),
      writer.update('Lead', { Id: 'other', Name: 'other' }),
      writer.update('Lead', { Id: 'same', Name: 'second' }),
      writer.upsert('Lead', 'X__c', { X__c: 'k', Name: 'u1' }),
      writer.upsert('Lead', 'X__c', { X__c: 'k', Name: 'u2' }),
    ];
    clock.fire();
    await Promise.all(answers);
    assert.deepEqual(
      calls.map((c) => c.records.map((r) => r['Name'])),
      [['first', 'other'], ['u1'], ['second'], ['u2']],
    );
  });

  it('flush sends what waits without the window; stop flushes and then sends each write at once', async () => {
    const clock = manualSchedule();
    const { connector, calls } = fakeConnector();
    const batcher = createSalesforceBatcher({ schedule: clock.schedule });
    const writer = batcher.writer(connector);
    const waiting = writer.create('Lead', { Name: 'a' });
    await batcher.flush();
    assert.equal(calls.length, 1);
    assert.equal(idOf(await waiting), 'id-a');
    assert.equal(clock.live().length, 0, 'the window was cancelled');

    const beforeStop = writer.create('Lead', { Name: 'b' });
    await batcher.stop();
    assert.equal(idOf(await beforeStop), 'id-b');
    assert.equal(calls.length, 2);
    const afterStop = writer.create('Lead', { Name: 'c' });
    assert.equal(calls.length, 3, 'sent at once, no window after stop');
    assert.equal(idOf(await afterStop), 'id-c');
    assert.equal(clock.live().length, 0);
  });

  it('hands a whole-call failure to every caller of that call, and only of that call', async () => {
    const clock = manualSchedule();
    const broken = fakeConnector({ throws: true });
    const fine = fakeConnector();
    const batcher = createSalesforceBatcher({ schedule: clock.schedule });
    const a = batcher.writer(broken.connector).create('Lead', { Name: 'a' });
    const b = batcher.writer(broken.connector).create('Lead', { Name: 'b' });
    const c = batcher.writer(fine.connector).create('Lead', { Name: 'c' });
    clock.fire();
    await assert.rejects(a, /connector bug/);
    await assert.rejects(b, /connector bug/);
    assert.equal(idOf(await c), 'id-c');
  });

  it('sends on its own timer by default', async () => {
    const { connector, calls } = fakeConnector();
    const batcher = createSalesforceBatcher({ windowMs: 0 });
    const writer = batcher.writer(connector);
    const results = await Promise.all([
      writer.create('Lead', { Name: 'a' }),
      writer.create('Lead', { Name: 'b' }),
    ]);
    assert.deepEqual(results.map(idOf), ['id-a', 'id-b']);
    assert.equal(calls.length, 1);
    await batcher.stop();
  });
});
