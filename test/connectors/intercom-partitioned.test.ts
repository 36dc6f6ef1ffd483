import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import {
  createIntercomConnector,
  type IntercomConnector,
  type IntercomContact,
  type PartitionCursor,
} from '../../src/connectors/intercom/index.ts';
import type { Result } from '../../src/connectors/result.ts';

function value<T>(result: Result<T> | undefined): T {
  assert.ok(result, 'expected a result');
  if (!result.ok) assert.fail(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
}

const day = 86_400_000;
const start = Date.UTC(2026, 2, 1, 0, 0, 0);
// 2,000 contacts over 8 days: 200 instants 3,456 s apart (every 25th exactly at midnight UTC),
// ten contacts created in the same second at each.
const instants = 200;
const perInstant = 10;
const step = (8 * day) / instants;

describe('Intercom connector: reading every contact in partitions', () => {
  let emu: IntercomEmulator;
  let clock = start;
  let ic: IntercomConnector;
  const connector = () =>
    createIntercomConnector({
      baseUrl: emu.url,
      accessToken: emu.credentials.accessToken,
      now: () => clock,
    });
  const leads = new Set<string>();

  before(async () => {
    emu = await startIntercomEmulator({
      port: 0,
      seed: 'empty',
      clock: () => clock,
      rateLimitPerMinute: 1_000_000,
    });
    ic = connector();
    for (let t = 0; t < instants; t++) {
      clock = start + t * step;
      const created = await Promise.all(
        Array.from({ length: perInstant }, (_, k) => {
          const n = t * perInstant + k;
          return ic.createContact(
            n % 4 === 0
              ? { role: 'lead', email: `lead${n}@example.test` }
              : { role: 'user', email: `user${n}@example.test`, external_id: `u-${n}` },
          );
        }),
      );
      for (const contact of created) {
        const c = value(contact);
        if (c.role === 'lead') leads.add(c.id);
      }
    }
    clock = start + 9 * day;
  });
  after(async () => {
    await emu.close();
  });

  const drain = async (pages: AsyncIterable<Result<IntercomContact[]>>) => {
    const ids: string[] = [];
    for await (const page of pages) ids.push(...value(page).map((c) => c.id));
    return ids;
  };

  it('counts the contacts of the workspace', async () => {
    assert.equal(value(await ic.countContacts()), 2_000);
  });

  it('reads every contact exactly once in 4 partitions over day-aligned ranges', async () => {
    const read = ic.listContactsPartitioned(4, { perPage: 100 });
    const contacts: IntercomContact[] = [];
    for await (const page of read) contacts.push(...value(page));
    const ids = contacts.map((c) => c.id);
    assert.equal(ids.length, 2_000);
    assert.equal(new Set(ids).size, 2_000);
    const cursors = read.cursors();
    assert.equal(cursors.length, 4);
    assert.ok(cursors.every((c) => c.done));
    for (const c of cursors.slice(1)) assert.equal((c.from ?? 0) % 86_400, 0);
    assert.equal(cursors[0]?.from, null);
    assert.equal(cursors.at(-1)?.to, null);
    // The ranges split the workspace into shares of about a quarter each.
    for (const c of cursors) {
      const share = contacts.filter(
        (x) =>
          (c.from === null || x.created_at >= c.from) && (c.to === null || x.created_at < c.to),
      ).length;
      assert.ok(share >= 250 && share <= 750, `a range of ${share} contacts`);
    }
  });

  it('reads only leads when asked, each once', async () => {
    const ids = await drain(ic.listContactsPartitioned(3, { role: 'lead', perPage: 50 }));
    assert.equal(ids.length, leads.size);
    assert.deepEqual(new Set(ids), leads);
  });

  it('resumes from saved cursors in a fresh connector and reads the rest exactly once', async () => {
    const first = ic.listContactsPartitioned(4, { perPage: 100 });
    const before: string[] = [];
    let saved: PartitionCursor[] = [];
    for await (const page of first) {
      before.push(...value(page).map((c) => c.id));
      saved = first.cursors();
      if (before.length >= 700) break;
    }
    // The checkpoint went through JSON, as a caller would store it.
    const restored = JSON.parse(JSON.stringify(saved)) as PartitionCursor[];
    assert.ok(restored.some((c) => !c.done && c.startingAfter !== null));
    const rest = await drain(
      connector().listContactsPartitioned(4, { resume: restored, perPage: 100 }),
    );
    assert.equal(before.length + rest.length, 2_000);
    assert.equal(new Set([...before, ...rest]).size, 2_000);
  });

  it('waits out a search answered 503 once and still reads each contact once', async () => {
    const injected = async () =>
      ((await (await fetch(`${emu.url}/__emulator/stats`)).json()) as { faults_injected: number })
        .faults_injected;
    const before = await injected();
    const fault = await fetch(`${emu.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', path: '/contacts/search', status: 503, times: 1 }),
    });
    assert.equal(fault.ok, true);
    const ids = await drain(ic.listContactsPartitioned(2, { perPage: 150 }));
    assert.equal(await injected(), before + 1);
    assert.equal(new Set(ids).size, 2_000);
    assert.equal(ids.length, 2_000);
  });
});
