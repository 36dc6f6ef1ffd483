import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { startRuntime } from '../../runtime/compose.ts';
import {
  describeEmulator,
  emulatorNames,
  startEmulator,
  type RunningEmulator,
} from '../../runtime/emulators.ts';
import { createLogger } from '../../runtime/logger.ts';
import { UsageError, type Command } from '../command.ts';
import { ConfigError } from '../setup.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Try Tandem in one command: both emulators with demo data, and Tandem beside them.',
  usage: 'tandem demo [--duration SECONDS]',
  details: [
    'Starts the Salesforce and Intercom emulators with their demo data and a Tandem server on an',
    'embedded store of its own (in <data folder>/demo), then prints what to try. Ctrl-C stops it.',
    'The people sync that moves records between the two arrives in a coming release; today the',
    'demo shows the emulators, the admin API, health and metrics.',
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
    // The demo keeps its own embedded store, whatever DATABASE_URL says, so it never touches real data.
    const demoDir = join(base.config.dataDir, 'demo');
    const result = loadConfig({
      env: { ...context.env, DATABASE_URL: undefined, TANDEM_SECRET_KEY: undefined },
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
    let runtime: Awaited<ReturnType<typeof startRuntime>> | undefined;
    try {
      context.out('Starting the Salesforce and Intercom emulators with demo data…');
      for (const name of emulatorNames) emulators.push(await startOnFreePort(name));
      runtime = await startRuntime({ config, log, role: 'serve' });
      context.out('');
      for (const emulator of emulators)
        for (const line of describeEmulator(emulator)) context.out(line);
      context.out('');
      context.out(`Tandem at ${runtime.url} (embedded store in ${config.dataDir})`);
      if (runtime.generatedAdminToken)
        context.out(`  admin token  ${runtime.generatedAdminToken} (shown once)`);
      const [salesforce, intercom] = emulators;
      context.out('');
      context.out('Try next:');
      context.out(`  curl ${runtime.url}/readyz`);
      context.out(`  curl ${runtime.url}/metrics | grep tandem_jobs`);
      context.out(
        `  curl -H 'Authorization: Bearer tandem-dev-token' ${intercom?.url}/contacts?per_page=3`,
      );
      context.out(`  curl ${salesforce?.url}/__emulator/stats`);
      context.out(`  npx tandem doctor --data-dir ${config.dataDir}`);
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
