// Backfill Intercom → Salesforce, against the targets of issue 6 (point 6), with both emulators
// adding 50 ms to every API call:
//   100,000 people with no existing matches: ≥ 1,500 records/s, ≤ 6 Salesforce API calls per
//   1,000 records, peak RSS ≤ 400 MB;
//   1,000,000 people: completes with peak RSS ≤ 600 MB;
//   engine CPU time per synced record, excluding waiting on the APIs, ≤ 200 µs.
//
// Every part runs in its own process, as in production: `tandem emulate salesforce` (an empty
// org with the custom field Plan__c on Lead and Contact), `tandem emulate intercom` (its demo
// workspace with N contacts, seeded through its control plane: 3/4 users, 1/4 leads, 300
// companies, none of them in Salesforce), and Tandem: `tandem connect salesforce|intercom` on a
// fresh data folder (as `tandem demo` connects), `tandem config apply` (email matching, two
// Lead mappings), then `tandem backfill --direction to_salesforce`, timed and measured from
// outside: wall time from its start to its exit, its peak RSS (VmHWM) and CPU time (utime +
// stime, which leaves out time spent waiting on the APIs) from /proc, Salesforce API calls from
// the Salesforce emulator's stats.
//
// The org's daily API limit is raised to 1,000,000 (an Enterprise org's order of magnitude) so
// that the API budget governor (bulk pauses at 40% of a 50% share) does not pause the backfill
// of a million people on the emulator's Developer-Edition default of 15,000.
//
// Sizes: BENCH_SIZE=10000 (or `node bench/backfill.bench.ts --size 10000`) runs one size; by
// default 100,000 then 1,000,000. The 1,000,000 run takes about a quarter of an hour.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectTandem, machine, measure, phaseTable, startEmulator } from './processes.ts';
import { report } from './report.ts';

const { values } = parseArgs({ options: { size: { type: 'string' } }, strict: false });
const sizes = String(values['size'] ?? process.env['BENCH_SIZE'] ?? '100000,1000000')
  .split(',')
  .map(Number);
const latencyMs = 50;

const settingsYaml = `
matching:
  mode: email
mappings:
  Lead:
    - intercom: custom_attributes.plan
      salesforce: Plan__c
      direction: to_salesforce
    - intercom: phone
      salesforce: Phone
      direction: to_salesforce
`;

interface SalesforceStats {
  readonly calls: Record<string, number>;
  readonly records: Record<string, number>;
  readonly apiUsage: { readonly used: number; readonly max: number };
}

const sum = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

function callsBetween(before: SalesforceStats, after: SalesforceStats): [string, number][] {
  return Object.entries(after.calls)
    .map(([key, value]) => [key, value - (before.calls[key] ?? 0)] as [string, number])
    .filter(([, value]) => value > 0)
    .sort((a, b) => b[1] - a[1]);
}

async function backfill(size: number): Promise<void> {
  console.log(`\n-- backfill Intercom → Salesforce of ${size.toLocaleString('en-US')} people`);
  const work = mkdtempSync(join(tmpdir(), 'tandem-bench-backfill-'));
  const seedFile = join(work, 'salesforce-seed.json');
  writeFileSync(
    seedFile,
    JSON.stringify({
      preset: 'empty',
      customFields: ['Lead', 'Contact'].map((object) => ({
        object,
        name: 'Plan__c',
        type: 'string',
        length: 64,
      })),
    }),
  );
  const salesforce = await startEmulator('salesforce', [
    '--seed',
    seedFile,
    '--latency-ms',
    String(latencyMs),
  ]);
  const intercom = await startEmulator('intercom', [
    '--seed',
    'empty',
    '--latency-ms',
    String(latencyMs),
  ]);
  try {
    await salesforce.control('POST', 'limits', { max: 1_000_000, used: 0 });
    const seedStarted = performance.now();
    const seeded = await intercom.control<{ contacts: number }>('POST', 'seed', {
      seed: 'demo',
      contacts: size,
    });
    console.log(
      `Intercom seeded with ${seeded.contacts.toLocaleString('en-US')} contacts in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s; Salesforce empty (Plan__c on Lead and Contact); ${latencyMs} ms per API call on both`,
    );
    const dataDir = join(work, 'tandem');
    await connectTandem(dataDir, salesforce.url, intercom.url, settingsYaml);
    const before = await salesforce.control<SalesforceStats>('GET', 'stats');
    const icBefore = await intercom.control<{ calls: Record<string, number> }>('GET', 'stats');
    console.log(machine());
    // Both emulators' counts every second, from outside: how far reading Intercom and writing
    // Salesforce got over time.
    const timeline: { at: number; pages: number; leads: number }[] = [];
    const started = performance.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [sf, ic] = await Promise.all([
          salesforce.control<SalesforceStats>('GET', 'stats'),
          intercom.control<{ calls: Record<string, number> }>('GET', 'stats'),
        ]);
        timeline.push({
          at: performance.now() - started,
          pages: (ic.calls['GET /contacts'] ?? 0) - (icBefore.calls['GET /contacts'] ?? 0),
          leads: sf.records['Lead'] ?? 0,
        });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    const run = await measure(['backfill', '--direction', 'to_salesforce', '--data-dir', dataDir]);
    sampling = false;
    await sampler;
    const after = await salesforce.control<SalesforceStats>('GET', 'stats');
    const icAfter = await intercom.control<{ calls: Record<string, number> }>('GET', 'stats');
    console.log(machine());
    if (run.code !== 0) throw new Error(`tandem backfill exited with ${run.code}`);

    const seconds = run.wallMs / 1000;
    const leads = after.records['Lead'] ?? 0;
    const calls = callsBetween(before, after);
    const salesforceCalls = calls.reduce((total, [, n]) => total + n, 0);
    const intercomCalls = sum(icAfter.calls) - sum(icBefore.calls);
    console.log(
      `${size.toLocaleString('en-US')} Intercom contacts → ${leads.toLocaleString('en-US')} Leads in Salesforce; ${seconds.toFixed(1)} s from start to exit; ${salesforceCalls} Salesforce calls, ${intercomCalls} Intercom calls`,
    );
    console.log(`by phase (from the progress lines):\n${phaseTable(run)}`);
    const every = Math.max(1, Math.round(timeline.length / 12));
    console.log(
      `over time (from the emulators' stats): ${timeline
        .filter((_, i) => i % every === 0 || i === timeline.length - 1)
        .map(
          (t) =>
            `${(t.at / 1000).toFixed(0)} s: ${(t.pages * 150).toLocaleString('en-US')} read, ${t.leads.toLocaleString('en-US')} Leads`,
        )
        .join('; ')}`,
    );
    console.log(
      `Salesforce calls:\n${calls.map(([key, n]) => `  ${String(n).padStart(6)}  ${key}`).join('\n')}`,
    );
    const tag = size.toLocaleString('en-US');
    if (size < 1_000_000) {
      report(`backfill ${tag} people: records/s`, size / seconds, 'records/s', { atLeast: 1500 });
      report(
        `backfill ${tag} people: Salesforce API calls per 1,000 records`,
        (salesforceCalls / size) * 1000,
        'calls',
        { atMost: 6 },
      );
      report(`backfill ${tag} people: peak RSS of Tandem`, run.peakRssMb, 'MB', { atMost: 400 });
    } else {
      console.log(`records/s: ${Math.round(size / seconds)}`);
      report(`backfill ${tag} people: peak RSS of Tandem`, run.peakRssMb, 'MB', { atMost: 600 });
    }
    report(`backfill ${tag} people: Tandem CPU time per record`, (run.cpuMs * 1000) / size, 'µs', {
      atMost: 200,
    });
  } finally {
    await Promise.all([salesforce.stop(), intercom.stop()]);
    rmSync(work, { recursive: true, force: true });
  }
}

console.log(machine());
for (const size of sizes) await backfill(size);
