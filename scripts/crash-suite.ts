// The full crash and fault suite (`npm run test:crash`): many seeded runs of the scenarios whose
// fast subset `npm test` runs (test/crash/). Each run prints its verdict on one line; the exit
// code is 1 when any run fails.
//
//   TANDEM_CRASH_RUNS      SIGKILL runs of live sync, and of the backfill (default 10 each)
//   TANDEM_CRASH_SEED      first seed (default 1); a failing run is replayed with its seed
//   TANDEM_CRASH_PARALLEL  runs side by side (default 2), each with its own emulators and Tandem
import { makeDrift, runBackfill } from '../test/crash/backfill.ts';
import { fivePercent } from '../test/crash/harness.ts';
import { runLive, verdict, type RunReport } from '../test/crash/live.ts';
import { makeWorkload } from '../test/crash/workload.ts';

const whole = (name: string, fallback: number, min: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be a whole number from ${min}, not "${raw}"`);
    process.exit(2);
  }
  return value;
};

const runs = whole('TANDEM_CRASH_RUNS', 10, 1);
const base = whole('TANDEM_CRASH_SEED', 1, 0);
const parallel = whole('TANDEM_CRASH_PARALLEL', 2, 1);

let failures = 0;
const report = (line: { ok: boolean; line: string }) => {
  if (!line.ok) failures++;
  console.log(line.line);
};

/** Runs the tasks `parallel` at a time, in order of start. */
async function inBatches<T>(tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, worker));
  return results;
}

const started = Date.now();
console.log(
  `Crash suite: ${runs} SIGKILL runs of live sync, ${runs} of the backfill, 3 with 5% faults, token expiry; seeds from ${base}, ${parallel} side by side.`,
);

// Live sync: two workloads, each with its uninterrupted reference run.
const workloads = [makeWorkload(base * 1000 + 1), makeWorkload(base * 1000 + 2)];
const references: RunReport[] = await inBatches(
  workloads.map(
    (workload, n) => () =>
      runLive(`live reference ${n + 1}`, { workload, seed: base * 1000 + 10 + n }),
  ),
);
for (const reference of references) report(verdict(reference));
await inBatches(
  Array.from({ length: runs }, (_, n) => async () => {
    const seed = base * 1000 + 100 + n;
    const kills = 1 + (seed % 3);
    const which = n % workloads.length;
    const result = await runLive(`live kill seed ${seed} (workload ${which + 1})`, {
      workload: workloads[which]!,
      seed,
      kills,
    });
    report(verdict(result, references[which]!.snapshot));
  }),
);
await inBatches([
  ...[0, 1, 2].map((n) => async () => {
    const seed = base * 1000 + 200 + n;
    const result = await runLive(`live 5% faults seed ${seed}`, {
      workload: workloads[0]!,
      seed,
      faults: fivePercent,
    });
    report(verdict(result, references[0]!.snapshot));
  }),
  async () => {
    const seed = base * 1000 + 300;
    const result = await runLive(`live token expiry seed ${seed}`, {
      workload: workloads[0]!,
      seed,
      tokenExpiries: 3,
      salesforceFlow: 'web_server',
    });
    report(verdict(result, references[0]!.snapshot));
  },
]);

// Backfill: drifted systems, one uninterrupted reference, then killed runs (collections and
// Bulk API 2.0 in turn) and one with expiring tokens.
const drift = makeDrift(base * 1000 + 5);
const backfillReference = await runBackfill('backfill reference', {
  drift,
  seed: base * 1000 + 400,
});
report(verdict(backfillReference));
await inBatches([
  ...Array.from({ length: runs }, (_, n) => async () => {
    const seed = base * 1000 + 500 + n;
    const bulk = n % 2 === 1;
    const result = await runBackfill(
      `backfill kill seed ${seed}${bulk ? ' (Bulk API)' : ''}`,
      { drift, seed, kills: 1 + (seed % 3), ...(bulk ? { bulkThreshold: 100 } : {}) },
      backfillReference.writes,
    );
    const line = verdict(result, backfillReference.snapshot);
    report({ ok: line.ok && result.exitCode === 0, line: `${line.line}, ${result.starts} starts` });
  }),
  async () => {
    const seed = base * 1000 + 600;
    const result = await runBackfill(
      `backfill token expiry seed ${seed}`,
      { drift, seed, tokenExpiries: 3, salesforceFlow: 'web_server' },
      backfillReference.writes,
    );
    const line = verdict(result, backfillReference.snapshot);
    report({ ok: line.ok && result.exitCode === 0 && result.tokenExpiries === 3, line: line.line });
  },
]);

console.log(
  `${failures === 0 ? 'All runs held' : `${failures} run(s) failed`} (${((Date.now() - started) / 1000).toFixed(0)} s).`,
);
process.exit(failures === 0 ? 0 : 1);
