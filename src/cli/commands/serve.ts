import { startRuntime } from '../../runtime/compose.ts';
import { databaseOptions, type Command } from '../command.ts';
import { setup } from '../setup.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the HTTP server (webhooks, admin API, health, metrics) and the job workers.',
  usage: 'tandem serve [options]',
  details:
    'Stops cleanly on SIGINT or SIGTERM: running jobs finish (or are released for another worker).',
  options: {
    ...databaseOptions,
    port: {
      type: 'string',
      value: 'PORT',
      setting: 'port',
      describe: 'HTTP port (TANDEM_PORT, default 4400)',
    },
    host: {
      type: 'string',
      value: 'HOST',
      setting: 'host',
      describe: 'listen address (TANDEM_HOST, default 127.0.0.1)',
    },
    concurrency: {
      type: 'string',
      value: 'N',
      setting: 'concurrency',
      describe: 'jobs run at once (TANDEM_CONCURRENCY, default 32)',
    },
  },
  async run(context) {
    const { config, log } = setup(context);
    const runtime = await startRuntime({ config, log, role: 'serve' });
    context.out(
      `Tandem is running at ${runtime.url} (database: ${config.database.kind === 'sqlite' ? 'embedded SQLite' : 'PostgreSQL'}).`,
    );
    if (runtime.generatedAdminToken) {
      context.out(
        `Admin API token (shown only this once; keep it or set TANDEM_ADMIN_TOKEN): ${runtime.generatedAdminToken}`,
      );
    }
    const signal = await context.waitForStop();
    context.out(`Received ${signal}; stopping.`);
    await runtime.stop();
    return 0;
  },
};
