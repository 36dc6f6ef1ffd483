// Sync latency, against the targets of issue 5: with both emulators adding 50 ms to every API
// call and 50 changes/s flowing,
//   Intercom change → Salesforce written, p95 ≤ 3 s (Intercom webhooks);
//   Salesforce change → Intercom written, p95 ≤ 5 s (Change Data Capture over CometD).
// A live Tandem (`startRuntime`, as `tandem serve` runs it) is connected to both emulators with
// `tandem connect` and captures changes as in production (test/e2e/live-world.ts). Each
// direction runs on its own set of linked people for BENCH_SECONDS (default 30), one direction
// after the other; every change writes a new, unique phone number through the public API, as a
// person would (the `both` mapping phone ↔ Phone).
//
// How "written" is measured: from the moment the edit is sent (so the edit's own 50 ms is
// counted) until the other side holds that exact value, seen by polling the other emulator
// every 25 ms: Salesforce through its control-plane dump (`GET /__emulator/records/Contact`,
// no latency, no API call counted), Intercom by reading the in-process emulator's contacts.
// The figures are therefore late by at most one poll interval plus a dump. People are edited
// round-robin, each one every BENCH_PEOPLE/BENCH_RATE s (8 s), longer than the targets; a change
// overtaken by the next one to the same person counts as written when that one is (see `flow`).
//
// Tandem runs with its defaults (8 jobs at once); `TANDEM_CONCURRENCY=N npm run bench --
// sync-latency` measures another setting. Environment: BENCH_SECONDS (30), BENCH_RATE (50
// changes/s), BENCH_PEOPLE (400 per direction). Changes not seen 90 s after the last edit are
// reported as never seen.
//
// Everything (both emulators, Tandem, this load) shares one Node.js process and event loop,
// which makes the figures pessimistic; the machine's load is printed beside them.
import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { unwrap } from '../src/connectors/index.ts';
import { settle, startLiveWorld, type LiveWorld } from '../test/e2e/live-world.ts';
import { report } from './report.ts';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 30);
const perSecond = Number(process.env['BENCH_RATE'] ?? 50);
const pool = Number(process.env['BENCH_PEOPLE'] ?? 400);
const latencyMs = 50;
const pollMs = 25;
const concurrency = process.env['TANDEM_CONCURRENCY'];

const machine = () =>
  `machine: ${availableParallelism()} cores, load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}`;
console.log(machine());

interface Pair {
  readonly intercomId: string;
  readonly contactId: string;
}

/** `count` people on both sides with the same email, linked by Tandem through live capture. */
async function linkedPeople(world: LiveWorld, prefix: string, count: number): Promise<Pair[]> {
  const emails = Array.from({ length: count }, (_, i) => `${prefix}-${i}@latency.test`);
  const contactIds: string[] = [];
  for (let start = 0; start < count; start += 200) {
    const saved = await world.salesforceUser.create(
      'Contact',
      emails
        .slice(start, start + 200)
        .map((email, i) => ({ LastName: `${prefix} ${start + i}`, Email: email, Phone: '0' })),
    );
    for (const result of saved) contactIds.push(unwrap(result).id);
  }
  const intercomIds: string[] = new Array<string>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        const contact = await world.intercomUser.createContact({
          role: 'user',
          email: emails[i]!,
          name: `${prefix} ${i}`,
          phone: '0',
        });
        intercomIds[i] = unwrap(contact).id;
      }
    }),
  );
  const deadline = Date.now() + 120_000;
  for (const intercomId of intercomIds) {
    while ((await world.runtime.store.links.findByIntercomId(intercomId)) === undefined) {
      if (Date.now() > deadline) throw new Error(`people ${prefix}: not all linked in 120 s`);
      await sleep(50);
    }
  }
  return intercomIds.map((intercomId, i) => ({ intercomId, contactId: contactIds[i]! }));
}

interface Change {
  readonly value: string;
  readonly sentAt: number;
  seenAt?: number;
  /** Seen through a later change to the same person (Tandem coalesced them). */
  coalesced?: boolean;
}

/**
 * Sends `perSecond` edits a second for `seconds` through `edit`, round-robin over `pairs`, and
 * times each until `read` shows its value on the other side. A change whose person got a newer
 * change before it was seen (Tandem coalesces a record's queued changes) counts as written when
 * the other side shows that newer value: the other side is then at least as current as it.
 */
async function flow(
  pairs: readonly Pair[],
  edit: (pair: Pair, value: string) => Promise<void>,
  read: () => Promise<Map<string, unknown>>,
  key: (pair: Pair) => string,
  tag: string,
): Promise<{ latencies: number[]; coalesced: number; missing: number; failedEdits: number }> {
  const changes: Change[] = [];
  /** Each person's changes not seen yet, oldest first. */
  const unseen = new Map<string, Change[]>();
  let failedEdits = 0;
  const started = performance.now();
  const total = seconds * perSecond;
  let sending = true;
  const sender = (async () => {
    while (changes.length < total) {
      const due = Math.min(
        total,
        Math.floor(((performance.now() - started) / 1000) * perSecond) + 1,
      );
      while (changes.length < due) {
        const n = changes.length;
        const pair = pairs[n % pairs.length]!;
        const change: Change = { value: `+1 ${tag} ${n}`, sentAt: performance.now() };
        const list = unseen.get(key(pair)) ?? [];
        list.push(change);
        unseen.set(key(pair), list);
        changes.push(change);
        edit(pair, change.value).catch(() => (failedEdits += 1));
      }
      await sleep(5);
    }
    sending = false;
  })();
  const drainUntil = () => (sending ? Infinity : started + seconds * 1000 + 90_000);
  while (performance.now() < drainUntil()) {
    const values = await read();
    const now = performance.now();
    let pending = 0;
    for (const [person, list] of unseen) {
      const at = list.findIndex((change) => values.get(person) === change.value);
      if (at >= 0) {
        for (const [i, change] of list.splice(0, at + 1).entries()) {
          change.seenAt = now;
          change.coalesced = i < at;
        }
      }
      pending += list.length;
    }
    if (!sending && pending === 0) break;
    await sleep(pollMs);
  }
  await sender;
  const seen = changes.filter((c) => c.seenAt !== undefined);
  return {
    latencies: seen.map((c) => c.seenAt! - c.sentAt).sort((a, b) => a - b),
    coalesced: seen.filter((c) => c.coalesced).length,
    missing: changes.length - seen.length,
    failedEdits,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function print(name: string, result: Awaited<ReturnType<typeof flow>>, target: number): void {
  const { latencies } = result;
  console.log(
    `${name}: ${latencies.length} changes timed, ${result.coalesced} of them seen through a later change, ${result.missing} never seen, ${result.failedEdits} edits refused`,
  );
  report(`${name} p50`, percentile(latencies, 50) / 1000, 's', { atMost: target });
  report(`${name} p95`, percentile(latencies, 95) / 1000, 's', { atMost: target });
  report(`${name} p99`, percentile(latencies, 99) / 1000, 's', { atMost: target });
}

let lastCalls: Record<string, number> = {};
/** API calls per change of the phase just run, by endpoint (where the time goes). */
async function callsPerChange(result?: Awaited<ReturnType<typeof flow>>): Promise<void> {
  const sf = ((await world.sf.control('stats')).body as { calls: Record<string, number> }).calls;
  const ic = (
    (await (await fetch(`${world.ic.url}/__emulator/stats`)).json()) as {
      calls: Record<string, number>;
    }
  ).calls;
  const now: Record<string, number> = {};
  for (const [k, v] of Object.entries(sf)) now[`salesforce ${k}`] = v;
  for (const [k, v] of Object.entries(ic)) now[`intercom ${k}`] = v;
  if (result === undefined) {
    lastCalls = now;
    return;
  }
  const changes = result.latencies.length + result.missing;
  const rows = Object.entries(now)
    .map(([k, v]) => [k, (v - (lastCalls[k] ?? 0)) / changes] as const)
    .filter(([, v]) => v >= 0.05)
    .map(([k, v]) => `  ${v.toFixed(2)}  ${k}`);
  console.log(`API calls per change:\n${rows.join('\n')}`);
  lastCalls = now;
}

const world = await startLiveWorld({
  ...(concurrency === undefined ? {} : { env: { TANDEM_CONCURRENCY: concurrency } }),
  settings: {
    matching: { mode: 'email' },
    mappings: {
      Contact: [
        { intercom: 'phone', salesforce: 'Phone', direction: 'both', conflictPolicy: 'latest' },
      ],
    },
  },
});
try {
  const toSalesforce = await linkedPeople(world, 'ic', pool);
  const toIntercom = await linkedPeople(world, 'sf', pool);
  await settle(world);
  // Intercom's limit is per app: 10,000/min for Tandem, plus what this load's own edits spend.
  await world.tune({ latencyMs, intercomRateLimitPerMinute: 10_000 + perSecond * 60 });
  console.log(
    `${pool} linked people per direction, ${perSecond} changes/s for ${seconds} s, ${latencyMs} ms per emulator call`,
  );

  await callsPerChange();
  const intercomResult = await flow(
    toSalesforce,
    async (pair, value) =>
      void unwrap(await world.intercomUser.updateContact(pair.intercomId, { phone: value })),
    async () => new Map((await world.records('Contact')).map((r) => [String(r['Id']), r['Phone']])),
    (pair) => pair.contactId,
    '555',
  );
  print('Intercom change → Salesforce written (webhooks)', intercomResult, 3);
  await callsPerChange(intercomResult);
  console.log(machine());

  await settle(world, 3000);
  await callsPerChange();
  const salesforceResult = await flow(
    toIntercom,
    async (pair, value) =>
      void unwrap(
        (await world.salesforceUser.update('Contact', [{ Id: pair.contactId, Phone: value }]))[0]!,
      ),
    async () =>
      new Map(
        toIntercom.map((pair) => [
          pair.intercomId,
          world.ic.emulator.ws.contacts.get(pair.intercomId)?.phone,
        ]),
      ),
    (pair) => pair.intercomId,
    '666',
  );
  print('Salesforce change → Intercom written (CDC)', salesforceResult, 5);
  await callsPerChange(salesforceResult);
  console.log(machine());
} finally {
  await world.close();
}
