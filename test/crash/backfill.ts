// The backfill scenario: two systems that drifted apart (Intercom people without Leads, Contacts
// whose fields differ, Leads nobody in Intercom knows), brought into step by `tandem backfill
// --direction both` in its own process, optionally SIGKILLed at seeded moments and run again
// (which resumes), or with Salesforce sessions expiring while it runs.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTandem } from '../support/cli.ts';
import { duplicates, snapshot } from './drive.ts';
import { startCrashWorld, type CrashWorld } from './harness.ts';
import { lostUpdates, type RunReport } from './live.ts';
import {
  crashSettings,
  seededRandom,
  type Expected,
  type IntercomPerson,
  type SalesforcePerson,
} from './workload.ts';

const firstNames = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Radia', 'Donald'];
const lastNames = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Thompson', 'Knuth'];
const plans = ['free', 'starter', 'pro', 'team', 'scale'];
const regions = ['EMEA', 'AMER', 'APAC', 'LATAM'];

export interface Drift {
  readonly intercomContacts: readonly Record<string, unknown>[];
  readonly salesforceRecords: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  readonly expected: Expected;
}

/**
 * From a seed: `people` Intercom contacts, a third of them also Salesforce Contacts (same email,
 * a phone only Salesforce has, the region on one side only), and `loneLeads` Leads with no
 * Intercom person (Tandem does not create Intercom people: they stay as they are).
 */
export function makeDrift(seed: number, people = 300, loneLeads = 40): Drift {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const intercomContacts: Record<string, unknown>[] = [];
  const contacts: Record<string, unknown>[] = [];
  const leads: Record<string, unknown>[] = [];
  const intercom: Record<string, Partial<IntercomPerson>> = {};
  const salesforce: Record<string, Partial<SalesforcePerson>> = {};
  for (let n = 0; n < people; n++) {
    const email = `b${n}.s${seed}@drift.test`;
    const name = `${pick(firstNames)} ${pick(lastNames)}`;
    const plan = pick(plans);
    const existing = random() < 0.33;
    const role = existing || random() < 0.5 ? 'user' : 'lead';
    const regionInIntercom = random() < 0.5;
    const region = random() < 0.8 ? pick(regions) : null;
    intercomContacts.push({
      role,
      email,
      name,
      custom_attributes: {
        plan,
        ...(regionInIntercom && region !== null ? { region } : {}),
      },
    });
    if (existing) {
      const lastName = pick(lastNames);
      const phone = `+1 555 ${String(Math.floor(random() * 10_000)).padStart(4, '0')}`;
      contacts.push({
        LastName: lastName,
        Email: email,
        Phone: phone,
        ...(!regionInIntercom && region !== null ? { Region__c: region } : {}),
      });
      intercom[email] = { role, name, phone, plan, region };
      salesforce[email] = {
        type: 'Contact',
        LastName: lastName,
        Phone: phone,
        Plan__c: plan,
        Region__c: region,
      };
    } else {
      const own = regionInIntercom ? region : null;
      intercom[email] = { role, name, phone: null, plan, region: own };
      salesforce[email] = {
        type: 'Lead',
        LastName: name,
        Company: '[not provided]',
        Phone: null,
        Plan__c: plan,
        Region__c: own,
        Intercom_Id__c: email,
      };
    }
  }
  for (let n = 0; n < loneLeads; n++) {
    const email = `lone${n}.s${seed}@drift.test`;
    const lastName = pick(lastNames);
    leads.push({ LastName: lastName, Company: 'Acme', Email: email });
    salesforce[email] = {
      type: 'Lead',
      LastName: lastName,
      Company: 'Acme',
      Phone: null,
      Plan__c: null,
      Region__c: null,
      Intercom_Id__c: null,
    };
  }
  return {
    intercomContacts,
    salesforceRecords: { Contact: contacts, Lead: leads },
    expected: { intercom, salesforce },
  };
}

export interface BackfillRunOptions {
  readonly drift: Drift;
  /** Seeds the kill and expiry moments. */
  readonly seed: number;
  /** SIGKILLs of `tandem backfill`, each followed by `tandem backfill` again. */
  readonly kills?: number;
  readonly tokenExpiries?: number;
  /** Salesforce Bulk API 2.0 from this many records (Tandem's setting); collections below. */
  readonly bulkThreshold?: number;
  readonly salesforceFlow?: 'password' | 'web_server';
  readonly latencyMs?: number;
}

export interface BackfillReport extends RunReport {
  /** How many times `tandem backfill` was started. */
  readonly starts: number;
  /** Whether the last start said it resumed an interrupted backfill. */
  readonly resumed: boolean;
  readonly exitCode: number | null;
  readonly output: string;
}

/** Record-changing calls so far on both emulators. */
async function writesSoFar(world: CrashWorld): Promise<number> {
  const { salesforce, intercom } = await world.writes();
  return salesforce + intercom;
}

/** Salesforce API calls so far (token calls left out). */
async function salesforceCalls(world: CrashWorld): Promise<number> {
  const stats = (await (await fetch(`${world.sf.url}/__emulator/stats`)).json()) as {
    calls: Record<string, number>;
  };
  return Object.entries(stats.calls)
    .filter(([endpoint]) => endpoint.includes('/services/data/'))
    .reduce((sum, [, n]) => sum + n, 0);
}

/**
 * Runs `tandem backfill --direction both` until it completes, killing it at seeded moments: each
 * kill comes once the emulators have seen a seeded share of `expectedWrites` record writes (or,
 * without an estimate, after a seeded delay).
 */
export async function runBackfill(
  label: string,
  options: BackfillRunOptions,
  expectedWrites?: number,
): Promise<BackfillReport & { writes: number }> {
  const started = Date.now();
  const random = seededRandom(options.seed * 104_729 + 3);
  const world = await startCrashWorld({
    seed: options.seed,
    people: [],
    settings: crashSettings,
    serve: false,
    intercomContacts: options.drift.intercomContacts,
    salesforceRecords: options.drift.salesforceRecords,
    latencyMs: options.latencyMs ?? 30,
    ...(options.salesforceFlow ? { salesforceFlow: options.salesforceFlow } : {}),
    env: {
      TANDEM_BACKFILL_CHUNK_SIZE: '100',
      TANDEM_BACKFILL_BULK_THRESHOLD: String(options.bulkThreshold ?? 100_000),
      TANDEM_LOG_LEVEL: 'warn',
    },
  });
  let output = '';
  let starts = 0;
  let kills = 0;
  let expiries = 0;
  let resumed = false;
  const crashes: string[] = [];
  try {
    const writesBefore = await writesSoFar(world);
    const callsBefore = await salesforceCalls(world);
    const start = (): ChildProcess => {
      starts++;
      const child = spawnTandem(['backfill', '--direction', 'both'], {
        env: world.tandem.env,
        cwd: world.dataDir,
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        if (/Resuming backfill/.test(text)) resumed = true;
      });
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return child;
    };
    // Kill moments as shares of the writes.
    const shares = (count: number) =>
      Array.from({ length: count }, () => 0.05 + random() * 0.75).sort((a, b) => a - b);
    const killShares = shares(options.kills ?? 0);
    const reached = async (share: number, since: number) => {
      if (expectedWrites === undefined) return Date.now() - since > 1000 + share * 4000;
      return (await writesSoFar(world)) - writesBefore >= share * expectedWrites;
    };
    let exitCode: number | null = null;
    for (;;) {
      const child = start();
      const since = Date.now();
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
      let done: [number | null, string | null] | undefined;
      void exited.then((result) => (done = result));
      const killShare = killShares[0];
      let killed = false;
      while (done === undefined) {
        // Sessions expire between Salesforce calls: after the 2nd, 4th, 6th… call of a run.
        if (
          expiries < (options.tokenExpiries ?? 0) &&
          (await salesforceCalls(world)) - callsBefore >= 2 * (expiries + 1)
        ) {
          await world.expireSalesforceTokens();
          expiries++;
        }
        if (killShare !== undefined && (await reached(killShare, since))) {
          killShares.shift();
          child.kill('SIGKILL');
          await exited;
          kills++;
          killed = true;
          break;
        }
        await sleep(20);
      }
      if (killed) continue;
      if (done !== undefined && killShares.length > 0 && killShare !== undefined) {
        // It finished before the kill's moment: the remaining kills never happen.
        killShares.length = 0;
      }
      if (done !== undefined) {
        exitCode = done[0];
        if (exitCode !== 0) crashes.push(`exit ${String(done[0] ?? done[1])}`);
        break;
      }
      if (starts > 20) throw new Error('tandem backfill never completed');
    }
    const snap = await snapshot(world);
    return {
      label,
      snapshot: snap,
      duplicates: duplicates(snap),
      lost: lostUpdates(options.drift.expected, snap),
      kills,
      crashes,
      needsAttention: [],
      tokenExpiries: expiries,
      tokenCalls: await world.tokenCalls(),
      faultsInjected: 'none',
      durationMs: Date.now() - started,
      starts,
      resumed,
      exitCode,
      output,
      writes: (await writesSoFar(world)) - writesBefore,
    };
  } catch (error) {
    (error as Error).message += `\n[${label}] output:\n${output.slice(-3000)}`;
    throw error;
  } finally {
    await world.close();
  }
}
