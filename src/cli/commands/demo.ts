import { rmSync } from 'node:fs';
import { backfillService } from '../../backfill/index.ts';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { parseSettings } from '../../core/index.ts';
import { startRuntime, type Runtime } from '../../runtime/compose.ts';
import {
  describeEmulator,
  emulatorNames,
  startEmulator,
  type RunningEmulator,
} from '../../runtime/emulators.ts';
import { StartupError } from '../../runtime/local-state.ts';
import { createLogger } from '../../runtime/logger.ts';
import type { SettingsRepository } from '../../store/index.ts';
import { readSyncSettings, writeSyncSettings } from '../../sync/settings-service.ts';
import { UsageError, type Command, type CommandContext } from '../command.ts';
import { main } from '../main.ts';
import { follow } from './backfill.ts';
import { ConfigError } from '../setup.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Try Tandem in one command: both emulators with demo data, and Tandem syncing them.',
  usage: 'tandem demo [--duration SECONDS]',
  details: [
    'Starts the Salesforce and Intercom emulators with their demo data and a Tandem server on a',
    'fresh embedded store of its own (in <data folder>/demo), connects Tandem to both the way',
    '`tandem connect` does, matches people on Customer_Number__c (then email), and keeps live',
    'backfills everyone already in both systems (with its progress bar), then keeps live sync',
    'running: change a person in one system and watch it arrive in the other. Ctrl-C stops it.',
  ].join('\n'),
  options: {
    duration: {
      type: 'string',
      value: 'SECONDS',
      describe: 'stop by itself after this many seconds (for scripts)',
    },
    port: {
      type: 'string',
      value: 'PORT',
      setting: 'port',
      describe: "Tandem's HTTP port (default 4400)",
    },
  },
  async run(context) {
    const duration = context.values['duration'];
    const seconds = duration === undefined ? undefined : Number(duration);
    if (seconds !== undefined && (!Number.isFinite(seconds) || seconds <= 0)) {
      throw new UsageError(
        `--duration must be a positive number of seconds, not "${String(duration)}"`,
      );
    }
    const base = loadConfig({ env: context.env, flags: context.settingFlags });
    if (!base.ok) throw new ConfigError(base.problems);
    // The demo keeps its own embedded store, whatever DATABASE_URL says, so it never touches
    // real data; and since every demo starts from the emulators' fresh demo data, it starts
    // from a fresh store too.
    const demoDir = join(base.config.dataDir, 'demo');
    rmSync(demoDir, { recursive: true, force: true });
    const demoEnv = { ...context.env, DATABASE_URL: undefined, TANDEM_SECRET_KEY: undefined };
    const result = loadConfig({
      env: demoEnv,
      flags: {
        ...context.settingFlags,
        dataDir: demoDir,
        logLevel: context.env['TANDEM_LOG_LEVEL'] ?? 'error',
      },
    });
    if (!result.ok) throw new ConfigError(result.problems);
    const config = result.config;
    const log = createLogger({
      level: config.logLevel,
      format: config.logFormat === 'json' ? 'json' : 'pretty',
    });

    const emulators: RunningEmulator[] = [];
    let runtime: Runtime | undefined;
    try {
      context.out('Starting the Salesforce and Intercom emulators with demo data…');
      for (const name of emulatorNames) emulators.push(await startOnFreePort(name));
      const [salesforce, intercom] = emulators as [RunningEmulator, RunningEmulator];
      runtime = await startRuntime({ config, log, role: 'serve' });
      const tandemUrl = runtime.url ?? '';
      context.out('Connecting Tandem to both…');
      for (const emulator of emulators) await connect(emulator, demoDir, demoEnv);
      await useDemoMatching(runtime.store.settings);
      await subscribeToWebhooks(intercom, `${tandemUrl}/webhooks/intercom`);

      context.out('Backfilling everyone already in both systems…');
      const backfills = backfillService({
        backfills: runtime.store.backfills,
        jobs: runtime.engine,
      });
      const { backfill } = await backfills.start({
        direction: 'both',
        objects: ['Lead', 'Contact'],
      });
      if ((await follow(context, backfills, backfill.id)) !== 0) {
        const ended = await backfills.get(backfill.id);
        if (ended?.status === 'running') return 0; // stopped with Ctrl-C
        context.err('demo: the backfill did not complete (see above); live sync keeps running.');
      }
      // A lead the backfill linked to its Salesforce Lead, for the commands to try.
      const sample =
        (await runtime.store.links.list({ limit: 500 })).find((l) => l.salesforceType === 'Lead')
          ?.intercomId ?? (await sampleLead(intercom));

      context.out('');
      for (const emulator of emulators) {
        for (const line of describeEmulator(emulator)) context.out(line);
      }
      context.out('');
      context.out(`Tandem at ${tandemUrl} (embedded store in ${config.dataDir})`);
      if (runtime.generatedAdminToken) context.out(`  admin token  ${runtime.generatedAdminToken}`);
      context.out('  connected    to both emulators; matching on Customer_Number__c, then email');
      context.out(
        `  backfill     #${backfill.id}: everyone in both systems matched, linked and synced`,
      );
      context.out('  live sync    Intercom webhooks and Salesforce change events, as they happen');
      context.out('');
      context.out('Try next, in another terminal:');
      const dataDir = `--data-dir ${config.dataDir}`;
      if (sample !== undefined) {
        context.out(
          '  # rename an Intercom lead: Tandem renames its Salesforce Lead within seconds',
        );
        context.out(
          `  curl -X PUT ${intercom.url}/contacts/${sample} -H 'Authorization: Bearer tandem-dev-token' -H 'Content-Type: application/json' -d '{"name":"Ada Lovelace"}'`,
        );
        context.out(`  npx tandem log --intercom ${sample} ${dataDir}`);
      }
      context.out('  # a new Intercom lead: Tandem creates its Salesforce Lead within seconds');
      context.out(
        `  curl -X POST ${intercom.url}/contacts -H 'Authorization: Bearer tandem-dev-token' -H 'Content-Type: application/json' -d '{"role":"lead","email":"grace@example.com","name":"Grace Hopper"}'`,
      );
      context.out(`  curl '${salesforce.url}/__emulator/records/Lead' | grep -o '"Grace Hopper"'`);
      context.out(`  curl ${salesforce.url}/__emulator/stats`);
      context.out(`  curl ${tandemUrl}/metrics | grep tandem_jobs`);
      context.out(`  npx tandem doctor ${dataDir}`);
      context.out(
        `  npx tandem backfill --dry-run --limit 20 ${dataDir}  # what a new backfill would do`,
      );
      context.out(`  curl -H 'Authorization: Bearer <admin token>' ${tandemUrl}/api/backfills`);
      context.out('');
      context.out(
        seconds === undefined ? 'Press Ctrl-C to stop.' : `Stopping by itself in ${seconds} s.`,
      );
      const stop = context.waitForStop();
      const reason =
        seconds === undefined ? await stop : await Promise.race([stop, delay(seconds * 1000)]);
      context.out(
        reason === 'timeout' ? 'Demo time is up; stopping.' : `Received ${reason}; stopping.`,
      );
      return 0;
    } finally {
      await runtime?.stop();
      await Promise.all(emulators.map((emulator) => emulator.close()));
    }
  },
};

/** Connects Tandem to an emulator through `tandem connect`, exactly as a person would. */
async function connect(
  emulator: RunningEmulator,
  dataDir: string,
  env: CommandContext['env'],
): Promise<void> {
  const errors: string[] = [];
  const code = await main(
    ['connect', emulator.name, ...emulator.connectArgs, '--data-dir', dataDir],
    { out: () => {}, err: (line) => errors.push(line), env: { ...env, TANDEM_LOG_LEVEL: 'error' } },
  );
  if (code !== 0) {
    throw new StartupError(
      `demo: connecting to the ${emulator.name} emulator failed: ${errors.join(' ')}`,
    );
  }
}

/** In the demo data, Intercom's external_id is Salesforce's Customer_Number__c. */
async function useDemoMatching(settings: SettingsRepository): Promise<void> {
  const current = await readSyncSettings(settings);
  const parsed = parseSettings({
    matching: { mode: 'identifier', identifierField: 'Customer_Number__c', emailFallback: true },
  });
  if (!parsed.ok)
    throw new Error(`the demo settings do not parse: ${JSON.stringify(parsed.problems)}`);
  await writeSyncSettings(settings, parsed.settings, 'tandem demo', current.version);
}

async function subscribeToWebhooks(intercom: RunningEmulator, url: string): Promise<void> {
  const response = await fetch(`${intercom.url}/__emulator/webhooks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url, topics: ['*'] }),
  });
  if (!response.ok) {
    throw new StartupError(
      `demo: subscribing Tandem to Intercom webhooks failed (${response.status})`,
    );
  }
}

/** One Intercom lead of the demo data with an email (Leads need one), for the commands to try. */
async function sampleLead(intercom: RunningEmulator): Promise<string | undefined> {
  const response = await fetch(`${intercom.url}/contacts/search`, {
    method: 'POST',
    headers: { Authorization: 'Bearer tandem-dev-token', 'Content-Type': 'application/json' },
    body: JSON.stringify({
      query: {
        operator: 'AND',
        value: [
          { field: 'role', operator: '=', value: 'lead' },
          { field: 'email', operator: '~', value: '@' },
        ],
      },
      pagination: { per_page: 1 },
    }),
  });
  if (!response.ok) return undefined;
  const body = (await response.json()) as { data?: { id?: string }[] };
  return body.data?.[0]?.id;
}

/** The emulator on its usual port, or on a free one when that port is taken. */
async function startOnFreePort(name: (typeof emulatorNames)[number]): Promise<RunningEmulator> {
  try {
    return await startEmulator(name, {});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startEmulator(name, { port: 0 });
  }
}

function delay(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}
