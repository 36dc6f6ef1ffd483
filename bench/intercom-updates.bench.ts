// Salesforce → Intercom update of 50,000 contacts with Intercom's limit at 10,000 calls a
// minute, against the target of issue 6 (point 6): ≥ 90% of the limit sustained, 429 answers
// ≤ 1% of the calls. Both emulators add 50 ms to every API call.
//
// Every part runs in its own process: `tandem emulate intercom --rate-limit 10000` holding
// 50,000 users (written as an emulator state file from the demo seed's shapes and loaded
// through the control plane), `tandem emulate salesforce` holding 50,000 Contacts with the same
// e-mails (a seed spec) whose Plan__c differs from the users' `plan` attribute, and Tandem:
// `tandem connect` both (as `tandem demo` connects), `tandem config apply` (email matching, the
// Contact mapping Plan__c → custom_attributes.plan, direction to_intercom), then
// `tandem backfill --direction to_intercom`, which stages both sides, matches and links every
// pair and writes each user's plan. The Intercom emulator's stats are read every second from
// outside: the update phase runs from the first to the last contact update (PUT) seen, and its
// rate is every Intercom call in that span (the updates, and anything else Tandem sent then)
// per minute, beside the limit. The 429 share is of every call of the run.
//
// Size: BENCH_SIZE=5000 (or `--size 5000`) for a quick check; default 50,000 (about 6 minutes:
// 50,000 updates at 10,000 a minute take 5 minutes at the very least).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectTandem, machine, measure, phaseTable, startEmulator } from './processes.ts';
import { report } from './report.ts';

const { values } = parseArgs({ options: { size: { type: 'string' } }, strict: false });
const size = Number(values['size'] ?? process.env['BENCH_SIZE'] ?? 50_000);
const latencyMs = 50;
const limitPerMinute = 10_000;
const plans = ['free', 'pro', 'enterprise'] as const;
const email = (i: number) => `person${i}@updates.test`;

const settingsYaml = `
matching:
  mode: email
mappings:
  Contact:
    - intercom: custom_attributes.plan
      salesforce: Plan__c
      direction: to_intercom
`;

interface IntercomStats {
  readonly calls: Record<string, number>;
  readonly rate_limited: number;
}

const sum = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
const updates = (stats: IntercomStats) =>
  Object.entries(stats.calls)
    .filter(([key]) => key.startsWith('PUT /contacts/'))
    .reduce((total, [, n]) => total + n, 0);

/**
 * An Intercom state file with `size` users, each `plan` = free: the demo seed's admins, tags and
 * data attributes and its contact shape (saved by the emulator itself), the contacts our own.
 */
async function intercomState(work: string): Promise<string> {
  const template = join(work, 'intercom-template.jsonl');
  const emulator = await startEmulator('intercom', ['--seed', 'empty', '--state-file', template]);
  try {
    await emulator.control('POST', 'seed', {
      seed: 'demo',
      contacts: 1,
      companies: 0,
      conversations: 0,
    });
    await emulator.control('POST', 'save');
  } finally {
    await emulator.stop();
  }
  const lines = readFileSync(template, 'utf8').split('\n').filter(Boolean);
  const header = JSON.parse(lines[0]!) as { counters: Record<string, number> };
  const contactLine = lines.find((line) => line.startsWith('["contact"'))!;
  const [, shape] = JSON.parse(contactLine) as [string, Record<string, unknown>];
  header.counters['contact'] = size;
  const out = [JSON.stringify(header), ...lines.slice(1).filter((l) => l !== contactLine)];
  const created = 1_750_000_000;
  for (let i = 1; i <= size; i++) {
    out.push(
      JSON.stringify([
        'contact',
        {
          ...shape,
          // The emulator's own id scheme (its list endpoint walks sequence numbers).
          id: `65a0${i.toString(16).padStart(20, '0')}`,
          seq: i,
          role: 'user',
          external_id: null,
          email: email(i),
          phone: null,
          name: `Person ${i}`,
          owner_id: null,
          created_at: created + i,
          updated_at: created + i,
          signed_up_at: created + i,
          last_seen_at: created + i,
          custom_attributes: { plan: 'free' },
          tags: [],
          company_ids: [],
          archived: false,
        },
      ]),
    );
  }
  const file = join(work, 'intercom-state.jsonl');
  writeFileSync(file, out.join('\n') + '\n');
  return file;
}

function salesforceSeed(work: string): string {
  const file = join(work, 'salesforce-seed.json');
  writeFileSync(
    file,
    JSON.stringify({
      preset: 'empty',
      customFields: [{ object: 'Contact', name: 'Plan__c', type: 'string', length: 64 }],
      records: {
        Contact: Array.from({ length: size }, (_, n) => ({
          LastName: `Person ${n + 1}`,
          Email: email(n + 1),
          Plan__c: plans[1 + (n % 2)],
        })),
      },
    }),
  );
  return file;
}

console.log(machine());
console.log(
  `\n-- Salesforce → Intercom update of ${size.toLocaleString('en-US')} contacts, Intercom limit ${limitPerMinute.toLocaleString('en-US')}/min`,
);
const work = mkdtempSync(join(tmpdir(), 'tandem-bench-updates-'));
const stateFile = await intercomState(work);
let seedStarted = performance.now();
const salesforce = await startEmulator('salesforce', [
  '--seed',
  salesforceSeed(work),
  '--latency-ms',
  String(latencyMs),
]);
console.log(
  `Salesforce started with ${size.toLocaleString('en-US')} Contacts in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
);
const intercom = await startEmulator('intercom', [
  '--seed',
  'empty',
  '--latency-ms',
  String(latencyMs),
  '--rate-limit',
  String(limitPerMinute),
]);
try {
  await salesforce.control('POST', 'limits', { max: 1_000_000, used: 0 });
  seedStarted = performance.now();
  const seeded = await intercom.control<{ contacts: number }>('POST', 'seed', { seed: stateFile });
  console.log(
    `Intercom seeded with ${seeded.contacts.toLocaleString('en-US')} users in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s; ${latencyMs} ms per API call on both`,
  );
  const dataDir = join(work, 'tandem');
  await connectTandem(dataDir, salesforce.url, intercom.url, settingsYaml);
  const before = await intercom.control<IntercomStats>('GET', 'stats');
  // The Intercom emulator's counts, once a second, from outside.
  const readings: { at: number; calls: number; updates: number; limited: number }[] = [];
  const started = performance.now();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const stats = await intercom.control<IntercomStats>('GET', 'stats');
      readings.push({
        at: performance.now() - started,
        calls: sum(stats.calls) - sum(before.calls),
        updates: updates(stats) - updates(before),
        limited: stats.rate_limited - before.rate_limited,
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  console.log(machine());
  const run = await measure(['backfill', '--direction', 'to_intercom', '--data-dir', dataDir]);
  const exitedAt = performance.now() - started;
  sampling = false;
  await sampler;
  console.log(machine());
  if (run.code !== 0) throw new Error(`tandem backfill exited with ${run.code}`);
  const after = await intercom.control<IntercomStats>('GET', 'stats');
  const calls = sum(after.calls) - sum(before.calls);
  const limited = after.rate_limited - before.rate_limited;
  const written = updates(after) - updates(before);
  // The counts when Tandem exited (its last calls may come after the last reading).
  readings.push({ at: exitedAt, calls, updates: written, limited });
  const dump = await intercom.control<{ data: { custom_attributes?: { plan?: string } }[] }>(
    'GET',
    'contacts',
  );
  const updated = dump.data.filter((c) => c.custom_attributes?.plan !== 'free').length;

  const first = readings.find((r) => r.updates > 0);
  const last = readings.find((r) => r.updates === written);
  console.log(`by phase (from the progress lines):\n${phaseTable(run)}`);
  console.log(
    `${written.toLocaleString('en-US')} contact updates sent, ${updated.toLocaleString('en-US')} of ${size.toLocaleString('en-US')} users now hold their Contact's plan; ${calls.toLocaleString('en-US')} Intercom calls in all, ${limited} answered 429; ${(run.wallMs / 1000).toFixed(1)} s from start to exit`,
  );
  console.log(
    `Intercom calls by endpoint:\n${Object.entries(after.calls)
      .map(([key, n]) => [key, n - (before.calls[key] ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([key, n]) => `  ${String(n).padStart(7)}  ${key}`)
      .join('\n')}`,
  );
  if (first && last && last.at > first.at) {
    // The span starts at the reading before the first update (updates began after it).
    const start = readings[readings.indexOf(first) - 1] ?? first;
    const minutes = (last.at - start.at) / 60_000;
    const perMinute = (last.calls - start.calls) / minutes;
    const perWindow: number[] = [];
    for (let i = readings.indexOf(start); i + 10 <= readings.indexOf(last); i += 10)
      perWindow.push(
        ((readings[i + 10]!.calls - readings[i]!.calls) * 60_000) /
          (readings[i + 10]!.at - readings[i]!.at),
      );
    console.log(
      `update phase: ${(minutes * 60).toFixed(0)} s, ${(last.calls - start.calls).toLocaleString('en-US')} Intercom calls; per 10 s (as calls/min): ${perWindow.map((r) => Math.round(r).toLocaleString('en-US')).join(' ')}`,
    );
    report('Intercom calls sustained during the update phase', perMinute, 'calls/min', {
      atLeast: 0.9 * limitPerMinute,
    });
    report('… as a share of the limit', (100 * perMinute) / limitPerMinute, '%', { atLeast: 90 });
  } else console.log('no update phase seen');
  report('429 answers', (100 * limited) / Math.max(1, calls), '% of calls', { atMost: 1 });
  report('Tandem CPU time per contact', (run.cpuMs * 1000) / size, 'µs', { atMost: 200 });
  // The issue sets no memory target for this run: shown, not judged.
  console.log(`peak RSS of Tandem: ${run.peakRssMb.toFixed(0)} MB (no target)`);
} finally {
  await Promise.all([salesforce.stop(), intercom.stop()]);
  rmSync(work, { recursive: true, force: true });
}
