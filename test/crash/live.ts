// The live scenario: Tandem syncing as people work in both systems, optionally SIGKILLed and
// started again on its data folder, with faults injected, or with Salesforce sessions expiring;
// then, once it has caught up, both systems compared with what the workload says.
import { setTimeout as sleep } from 'node:timers/promises';
import { drive, duplicates, snapshot, type Snapshot } from './drive.ts';
import { settle, startCrashWorld, type CrashWorld, type FaultMix } from './harness.ts';
import {
  crashSettings,
  expectedState,
  operationCount,
  seededRandom,
  type Expected,
  type Workload,
} from './workload.ts';

export interface LiveRunOptions {
  readonly workload: Workload;
  /** Seeds the moments of the kills and token expiries, and the fault dice. */
  readonly seed: number;
  /** SIGKILLs of Tandem during the run (each followed by a restart on the same data folder). */
  readonly kills?: number;
  readonly faults?: FaultMix;
  /** Times every Salesforce access token is expired during the run. */
  readonly tokenExpiries?: number;
  readonly salesforceFlow?: 'password' | 'web_server';
  readonly latencyMs?: number;
}

export interface RunReport {
  readonly label: string;
  readonly snapshot: Snapshot;
  /** Emails with more than one Salesforce Lead or Contact. */
  readonly duplicates: readonly string[];
  /** Workload changes missing from the final state, one line each. */
  readonly lost: readonly string[];
  readonly kills: number;
  /** Tandem exits nobody asked for. */
  readonly crashes: readonly string[];
  /** The needs-attention list at the end (records whose sync gave up). */
  readonly needsAttention: readonly string[];
  readonly tokenExpiries: number;
  /** Tandem's calls to Salesforce's token endpoint (logins and refreshes; the workload's own left out). */
  readonly tokenCalls: number;
  readonly faultsInjected: string;
  readonly durationMs: number;
}

/** Differences between what the workload says and what both systems hold, one line each. */
export function lostUpdates(expected: Expected, snap: Snapshot): string[] {
  const lost: string[] = [];
  const show = (value: unknown) => JSON.stringify(value ?? null);
  for (const [email, want] of Object.entries(expected.intercom)) {
    const have = snap.intercom[email];
    if (!have) {
      lost.push(`Intercom: no contact ${email}`);
      continue;
    }
    for (const [field, value] of Object.entries(want)) {
      const found = (have as unknown as Record<string, unknown>)[field];
      if (found !== value)
        lost.push(`Intercom ${email} ${field}: ${show(value)} expected, ${show(found)} found`);
    }
  }
  for (const [email, want] of Object.entries(expected.salesforce)) {
    const have = snap.salesforce[email]?.[0];
    if (!have) {
      lost.push(`Salesforce: no Lead or Contact ${email}`);
      continue;
    }
    for (const [field, value] of Object.entries(want)) {
      const found = (have as unknown as Record<string, unknown>)[field];
      if (found !== value)
        lost.push(`Salesforce ${email} ${field}: ${show(value)} expected, ${show(found)} found`);
    }
  }
  for (const email of Object.keys(snap.salesforce)) {
    if (!(email in expected.salesforce)) lost.push(`Salesforce: unexpected record ${email}`);
  }
  for (const email of Object.keys(snap.intercom)) {
    if (!(email in expected.intercom)) lost.push(`Intercom: unexpected contact ${email}`);
  }
  return lost;
}

/** Picks `count` distinct step numbers in 1…total at which something happens. */
function moments(random: () => number, count: number, total: number): number[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, total)) picked.add(1 + Math.floor(random() * total));
  return [...picked].sort((a, b) => a - b);
}

export async function runLive(label: string, options: LiveRunOptions): Promise<RunReport> {
  const started = Date.now();
  const random = seededRandom(options.seed * 7919 + 17);
  const world: CrashWorld = await startCrashWorld({
    seed: options.seed,
    people: options.workload.people,
    settings: crashSettings,
    ...(options.salesforceFlow ? { salesforceFlow: options.salesforceFlow } : {}),
    latencyMs: options.latencyMs ?? 10,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  try {
    const total = operationCount(options.workload);
    const killAt = moments(random, options.kills ?? 0, total);
    const expireAt = moments(random, options.tokenExpiries ?? 0, total);
    // Chaos runs one thing at a time, in the order the steps reach their moments.
    let chaos: Promise<void> = Promise.resolve();
    let expiries = 0;
    const onStep = (done: number) => {
      if (killAt.includes(done)) {
        const before = Math.floor(random() * 400);
        const down = Math.floor(random() * 1000);
        chaos = chaos.then(async () => {
          await sleep(before);
          await world.tandem.kill();
          await sleep(down);
          await world.tandem.start();
        });
      }
      if (expireAt.includes(done)) {
        const before = Math.floor(random() * 400);
        chaos = chaos.then(async () => {
          await sleep(before);
          await world.expireSalesforceTokens();
          expiries++;
        });
      }
    };
    const driven = await drive(world, options.workload, { onStep });
    await chaos;
    await settle(world);
    const snap = await snapshot(world);
    const sfStats = (await (await fetch(`${world.sf.url}/__emulator/faults`)).json()) as {
      faults?: { hits: number }[];
    };
    const icStats = (await (await fetch(`${world.ic.url}/__emulator/stats`)).json()) as {
      faults_injected?: number;
    };
    const proxyCounts = world.proxies.map((p) => p.counts);
    const faultsInjected = options.faults
      ? [
          `Salesforce ${(sfStats.faults ?? []).reduce((n, f) => n + f.hits, 0)} 5xx/429`,
          `Intercom ${icStats.faults_injected ?? 0} 5xx/429`,
          `resets ${proxyCounts.reduce((n, c) => n + c.resets, 0)}`,
          `lost answers ${proxyCounts.reduce((n, c) => n + c.lostAnswers, 0)}`,
        ].join(', ')
      : 'none';
    return {
      label,
      snapshot: snap,
      duplicates: duplicates(snap),
      lost: lostUpdates(expectedState(options.workload), snap),
      kills: world.tandem.kills,
      crashes: [...world.tandem.crashes],
      needsAttention: await world.tandem.needsAttention(),
      tokenExpiries: expiries,
      tokenCalls: (await world.tokenCalls()) - driven.salesforceLogins,
      faultsInjected,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    (error as Error).message += `\n[${label}] Tandem's log:\n${world.tandem.logTail()}`;
    throw error;
  } finally {
    await world.close();
  }
}

/** One line per run: what happened and whether it held. */
export function verdict(report: RunReport, reference?: Snapshot): { ok: boolean; line: string } {
  const same =
    reference === undefined || JSON.stringify(report.snapshot) === JSON.stringify(reference);
  const ok =
    same &&
    report.duplicates.length === 0 &&
    report.lost.length === 0 &&
    report.crashes.length === 0 &&
    report.needsAttention.length === 0;
  const line = [
    `${ok ? 'PASS' : 'FAIL'} ${report.label}:`,
    `${report.kills} SIGKILL,`,
    report.tokenExpiries > 0 ? `${report.tokenExpiries} token expiries,` : '',
    report.faultsInjected === 'none' ? '' : `faults (${report.faultsInjected}),`,
    reference === undefined ? '' : same ? 'same final state,' : 'DIFFERENT final state,',
    `${report.duplicates.length} duplicates, ${report.lost.length} lost updates,`,
    `${report.needsAttention.length} needing attention, ${report.crashes.length} crashes,`,
    `${(report.durationMs / 1000).toFixed(1)} s`,
  ]
    .filter(Boolean)
    .join(' ');
  // A failing run says what it lost, so that it can be looked into without running it again.
  const lost = report.lost.map((change) => `\n  lost: ${change}`).join('');
  return { ok, line: ok ? line : `${line}${lost}` };
}
