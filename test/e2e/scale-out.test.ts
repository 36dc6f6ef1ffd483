// Scale-out, end to end (issue 6, point 5): with DATABASE_URL on PostgreSQL, `tandem serve` plus
// `tandem worker` processes share the work. The same workload runs twice, each time on fresh
// emulators and a fresh database: once with `tandem serve` alone, once with `tandem serve` and two
// `tandem worker` processes. Changes reach Tandem the way production delivers them: signed
// Intercom webhooks to serve, Salesforce edits through change capture. Both runs must end in the
// same state of both systems, with every change applied, no duplicate Lead, and jobs run by the
// workers.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startIntercomEmulator, type IntercomEmulator } from '../../emulators/intercom/index.ts';
import { main } from '../../src/cli/main.ts';
import { createIntercomConnector, unwrap } from '../../src/connectors/index.ts';
import { parseSettings } from '../../src/core/index.ts';
import { createSecretBox, openStore } from '../../src/store/index.ts';
import { readSyncSettings, writeSyncSettings } from '../../src/sync/settings-service.ts';
import {
  startSalesforceHarness,
  type SalesforceHarness,
} from '../connectors/salesforce-harness.ts';
import { createTestDatabase } from '../queue/support/database.ts';
import { waitFor } from '../queue/support/wait.ts';
import { spawnTandem } from '../support/cli.ts';
import { skipWithoutPostgres } from '../support/postgres.ts';

for (const variable of ['https_proxy', 'http_proxy', 'HTTPS_PROXY', 'HTTP_PROXY'])
  delete process.env[variable];

const people = 100;
/** The first `renamed` people are renamed in Intercom after they were created there. */
const renamed = 50;
const secretKey = 'ab'.repeat(32);

const email = (i: number) => `person.${String(i).padStart(3, '0')}@scale.test`;
const firstName = (i: number) => `Person ${i}`;
const finalName = (i: number) => (i < renamed ? `Person ${i} Renamed` : firstName(i));
const phone = (i: number) => `+1 555 ${String(1000 + i)}`;

const settings = {
  matching: { mode: 'email' },
  mappings: {
    Lead: [
      { intercom: 'name', salesforce: 'LastName', direction: 'to_salesforce' },
      { intercom: 'company.name', salesforce: 'Company', direction: 'to_salesforce' },
      { intercom: 'email', salesforce: 'Email', direction: 'to_salesforce' },
      { intercom: 'phone', salesforce: 'Phone', direction: 'both', conflictPolicy: 'latest' },
    ],
    Contact: [{ intercom: 'email', salesforce: 'Email', direction: 'to_salesforce' }],
  },
} as const;

/** One Tandem process, its JSON log lines counted as they come. */
interface TandemProcess {
  readonly role: 'serve' | 'worker';
  readonly child: ChildProcess;
  /** Person-sync jobs this process completed (graphile-worker's "Completed task" lines). */
  completed(): number;
  /** Its warnings and errors (for the message when the run fails). */
  problems(): readonly string[];
  stderr(): string;
}

/** What one run ends with, keyed by email: no ids, no timestamps. */
interface FinalState {
  readonly leads: Record<string, { LastName: unknown; Company: unknown; Phone: unknown }[]>;
  readonly intercom: Record<string, { name: unknown; phone: unknown; role: unknown }[]>;
  readonly contacts: number;
}

interface RunResult {
  readonly state: FinalState;
  /** Person-sync jobs completed per process, serve first. */
  readonly completed: readonly number[];
  /** Warnings and errors the processes logged. */
  readonly problems: readonly string[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function startTandem(role: 'serve' | 'worker', env: Record<string, string>): TandemProcess {
  const child = spawnTandem([role], { env, cwd: env['TANDEM_DATA_DIR'] ?? tmpdir() });
  let completed = 0;
  const problems: string[] = [];
  let partial = '';
  /** The last lines, for the message when the process dies. */
  const tail: string[] = [];
  child.stdout!.resume();
  // Tandem logs to stderr, one JSON object a line.
  child.stderr!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (/Completed task \d+ \(sync\./.test(line)) completed += 1;
      if (/"level":(40|50|60)/.test(line)) problems.push(line.slice(0, 300));
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  });
  return {
    role,
    child,
    completed: () => completed,
    problems: () => problems,
    stderr: () => tail.join('\n'),
  };
}

async function stopTandem(processes: readonly TandemProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit');
      clearTimeout(timer);
    }),
  );
}

async function connect(args: readonly string[], env: Record<string, string>): Promise<void> {
  const errors: string[] = [];
  const code = await main(['connect', ...args], { out: () => {}, err: (l) => errors.push(l), env });
  if (code !== 0) throw new Error(`tandem connect ${args[0]} failed: ${errors.join(' ')}`);
}

/** The workload, then the final state once the queue is empty and both systems are quiet. */
async function run(workers: number): Promise<RunResult> {
  const database = await createTestDatabase('scale');
  const sf: SalesforceHarness = await startSalesforceHarness();
  const ic: IntercomEmulator = await startIntercomEmulator({ port: 0, seed: 'empty' });
  const dir = mkdtempSync(join(tmpdir(), 'tandem-scale-'));
  const port = await freePort();
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    TANDEM_SECRET_KEY: secretKey,
    TANDEM_DATA_DIR: dir,
    TANDEM_PORT: String(port),
    TANDEM_JOB_LEASE_MS: '3000',
    TANDEM_SALESFORCE_POLL_SECONDS: '2',
    TANDEM_INTERCOM_SWEEP_SECONDS: '2',
    // graphile-worker's per-job lines are debug lines: they show which process ran what.
    TANDEM_LOG_LEVEL: 'debug',
    TANDEM_LOG_FORMAT: 'json',
  };
  const processes: TandemProcess[] = [];
  const db = new pg.Client({ connectionString: database.url });
  try {
    // Connections and settings first (they live in the database every process reads).
    const migrated = await main(['migrate'], { out: () => {}, err: () => {}, env });
    assert.equal(migrated, 0, 'tandem migrate');
    const c = sf.emulator.credentials;
    await connect(
      [
        'salesforce',
        ...['--login-url', c.loginUrl, '--client-id', c.clientId],
        ...['--client-secret', c.clientSecret, '--username', c.username, '--password', c.password],
      ],
      env,
    );
    await connect(
      [
        'intercom',
        ...['--base-url', ic.url, '--token', ic.credentials.accessToken],
        ...['--client-secret', ic.credentials.clientSecret],
      ],
      env,
    );
    const store = openStore({
      location: { kind: 'postgres', url: database.url, poolSize: 2 },
      secretBox: createSecretBox(Buffer.from(secretKey, 'hex')),
    });
    try {
      const parsed = parseSettings(settings);
      if (!parsed.ok) throw new Error(`settings: ${JSON.stringify(parsed.problems)}`);
      const current = await readSyncSettings(store.settings);
      await writeSyncSettings(store.settings, parsed.settings, 'scale-out test', current.version);
    } finally {
      await store.close();
    }

    const serve = startTandem('serve', env);
    processes.push(serve);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      'tandem serve to answer',
      async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true,
      20_000,
    );
    for (let i = 0; i < workers; i++) processes.push(startTandem('worker', env));
    const subscribed = await fetch(`${ic.url}/__emulator/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${url}/webhooks/intercom`, topics: ['*'] }),
    });
    assert.equal(subscribed.status, 200, 'webhook subscription');
    // Every API call takes a little while, so that jobs overlap and spread over the processes.
    await sf.control('latency', { ms: 10 });
    await db.connect();
    const crashed = (): string | undefined => {
      const dead = processes.find((p) => p.child.exitCode !== null);
      return dead && `tandem ${dead.role} exited with ${dead.child.exitCode}: ${dead.stderr()}`;
    };
    const until = async (what: string, check: () => Promise<boolean>) =>
      waitFor(
        what,
        async () => {
          const dead = crashed();
          if (dead) throw new Error(dead);
          return check();
        },
        90_000,
      );

    // 150 Intercom changes, as webhooks to serve: 100 new leads, then 50 of them renamed.
    const intercomUser = createIntercomConnector({
      baseUrl: ic.url,
      accessToken: ic.credentials.accessToken,
    });
    const ids = await Promise.all(
      Array.from({ length: people }, async (_, i) =>
        unwrap(
          await intercomUser.createContact({ role: 'lead', email: email(i), name: firstName(i) }),
        ),
      ),
    );
    await Promise.all(
      ids
        .slice(0, renamed)
        .map(async (contact, i) =>
          unwrap(await intercomUser.updateContact(contact.id, { name: finalName(i) })),
        ),
    );
    const leads = async () =>
      ((await sf.control('records/Lead')).body as { records: Record<string, unknown>[] }).records;
    await until('a Lead with its final name for every Intercom lead', async () => {
      const names = new Set(
        (await leads()).map((lead) => `${String(lead['Email'])}/${String(lead['LastName'])}`),
      );
      return Array.from({ length: people }, (_, i) => `${email(i)}/${finalName(i)}`).every((k) =>
        names.has(k),
      );
    });
    await settled(sf, ic, db);

    // 100 Salesforce edits, by someone else, picked up by change capture: a phone on every Lead.
    const salesforceUser = sf.connector({ callOptionsClient: 'someone-else' });
    const byEmail = new Map(
      (await leads()).map((lead) => [String(lead['Email']), String(lead['Id'])]),
    );
    const edits = Array.from({ length: people }, (_, i) => ({
      Id: byEmail.get(email(i)) ?? '',
      Phone: phone(i),
    }));
    for (let from = 0; from < edits.length; from += 25) {
      const saved = await salesforceUser.update('Lead', edits.slice(from, from + 25));
      for (const result of saved) assert.ok(result.ok, JSON.stringify(result));
    }
    const missingPhones = () =>
      ids.filter((contact, i) => ic.emulator.ws.contacts.get(contact.id)?.['phone'] !== phone(i));
    await until('every phone to reach Intercom', async () => missingPhones().length === 0).catch(
      async (error: Error) => {
        error.message += `\n${await whatHappened(
          db,
          missingPhones().map((c) => c.id),
        )}`;
        for (const p of processes)
          error.message += `\n${p.role} warnings: ${p.problems().slice(0, 15).join('\n')}`;
        throw error;
      },
    );
    await settled(sf, ic, db);
    return {
      state: await finalState(sf, ic),
      completed: processes.map((p) => p.completed()),
      problems: processes.flatMap((p) => p.problems().map((line) => `${p.role}: ${line}`)),
    };
  } finally {
    await stopTandem(processes);
    await db.end().catch(() => {});
    await ic.close();
    await sf.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** For a failure message: the jobs left and what the ledger says about some contacts. */
async function whatHappened(db: pg.Client, intercomIds: readonly string[]): Promise<string> {
  const jobs = await db.query(
    `SELECT task_identifier, key, attempts, max_attempts, run_at, locked_at, last_error
     FROM graphile_worker.jobs ORDER BY id LIMIT 20`,
  );
  const some = intercomIds.slice(0, 3);
  const links = await db.query(`SELECT * FROM links WHERE intercom_id = ANY($1)`, [some]);
  const events = await db.query(
    `SELECT kind, subject, data FROM events
     WHERE data::text LIKE ANY($1) ORDER BY id`,
    [some.map((id) => `%${id}%`)],
  );
  return [
    `${intercomIds.length} contacts without their phone: ${some.join(', ')}…`,
    `jobs left: ${JSON.stringify(jobs.rows, null, 1)}`,
    `links: ${JSON.stringify(links.rows, null, 1)}`,
    `events: ${events.rows.map((e) => JSON.stringify(e)).join('\n')}`,
  ].join('\n');
}

/**
 * Waits until no job is queued or running and neither emulator has answered a write for 3 s
 * (longer than the poll and sweep intervals, so their rounds would have queued anything left).
 */
async function settled(sf: SalesforceHarness, ic: IntercomEmulator, db: pg.Client): Promise<void> {
  const writes = async () => {
    const salesforce = (await sf.control('stats')).body as { calls: Record<string, number> };
    const intercom = (await (await fetch(`${ic.url}/__emulator/stats`)).json()) as {
      calls: Record<string, number>;
    };
    return JSON.stringify([writesOf(salesforce.calls), writesOf(intercom.calls)]);
  };
  const jobs = async () =>
    Number(
      (
        await db.query<{ n: string }>(
          // Failed jobs stay in the table; a keyed job superseded while it ran is one of them.
          `SELECT count(*) AS n FROM graphile_worker._private_jobs
           WHERE attempts < max_attempts OR locked_at IS NOT NULL`,
        )
      ).rows[0]?.n,
    );
  let last = await writes();
  let quietSince = Date.now();
  const deadline = Date.now() + 30_000;
  while (Date.now() - quietSince < 3_000 || (await jobs()) > 0) {
    if (Date.now() > deadline) {
      const left = await db.query(
        `SELECT task_identifier, attempts, max_attempts, last_error, locked_by IS NOT NULL AS running
         FROM graphile_worker.jobs WHERE attempts < max_attempts OR locked_by IS NOT NULL LIMIT 5`,
      );
      throw new Error(
        `Tandem did not settle within 30 s; writes ${last}; jobs ${JSON.stringify(left.rows)}`,
      );
    }
    await sleep(200);
    const now = await writes();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }
}

/** Calls whose endpoint changes records. */
function writesOf(calls: Record<string, number>): number {
  return Object.entries(calls)
    .filter(([endpoint]) => /^(POST|PATCH|PUT|DELETE) /.test(endpoint))
    .filter(([endpoint]) => !/\/oauth2?\/|\/query|\/search|\/token/.test(endpoint))
    .reduce((sum, [, n]) => sum + n, 0);
}

async function finalState(sf: SalesforceHarness, ic: IntercomEmulator): Promise<FinalState> {
  const records = async (object: string) =>
    ((await sf.control(`records/${object}`)).body as { records: Record<string, unknown>[] })
      .records;
  const leads: FinalState['leads'] = {};
  for (const lead of await records('Lead'))
    (leads[String(lead['Email'])] ??= []).push({
      LastName: lead['LastName'],
      Company: lead['Company'],
      Phone: lead['Phone'],
    });
  const intercom: FinalState['intercom'] = {};
  for (const contact of ic.emulator.ws.contacts.values()) {
    const c = contact as unknown as Record<string, unknown>;
    (intercom[String(c['email'])] ??= []).push({
      name: c['name'],
      phone: c['phone'],
      role: c['role'],
    });
  }
  return {
    leads: sorted(leads),
    intercom: sorted(intercom),
    contacts: (await records('Contact')).length,
  };
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

describe('scale-out on PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  it('reaches the same final state with tandem serve and two tandem workers as with serve alone: every change applied, no duplicate Lead', async (t) => {
    const alone = await run(0);
    const shared = await run(2);

    const problems = [...alone.problems, ...shared.problems].slice(0, 20).join('\n');
    t.diagnostic(`warnings logged: ${problems === '' ? 'none' : `\n${problems}`}`);
    assert.deepEqual(
      shared.state,
      alone.state,
      `the same final state in both systems (warnings logged:\n${problems})`,
    );
    const expected = Object.fromEntries(
      Array.from({ length: people }, (_, i) => [
        email(i),
        [{ LastName: finalName(i), Company: '[not provided]', Phone: phone(i) }],
      ]),
    );
    assert.deepEqual(
      shared.state.leads,
      expected,
      'one Lead per person, with every change applied',
    );
    for (let i = 0; i < people; i++)
      assert.deepEqual(shared.state.intercom[email(i)], [
        { name: finalName(i), phone: phone(i), role: 'lead' },
      ]);
    assert.equal(shared.state.contacts, 0, 'no Contact created');

    const [serveJobs = 0, ...workerJobs] = shared.completed;
    t.diagnostic(
      `person-sync jobs completed: serve alone ${alone.completed.join(', ')}; serve ${serveJobs} + workers ${workerJobs.join(', ')}`,
    );
    assert.equal(workerJobs.length, 2);
    for (const [n, jobs] of workerJobs.entries())
      assert.ok(
        jobs > 0,
        `worker ${n + 1} ran person-sync jobs (serve ${serveJobs}, workers ${workerJobs.join(', ')})`,
      );
    assert.ok((alone.completed[0] ?? 0) > 0, 'serve alone ran the jobs itself');
  });
});
