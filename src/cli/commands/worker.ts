import { startRuntime } from '../../runtime/compose.ts';
import { databaseOptions, type Command } from '../command.ts';
import { setup } from '../setup.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run job workers only (PostgreSQL; start as many as you like, on any machine).',
  usage: 'tandem worker [options]',
  details:
    'Needs DATABASE_URL=postgres://… and TANDEM_SECRET_KEY. Stops cleanly on SIGINT or SIGTERM.',
  options: {
    ...databaseOptions,
    concurrency: {
      type: 'string',
      value: 'N',
      setting: 'concurrency',
      describe: 'jobs run at once (TANDEM_CONCURRENCY, default 32)',
    },
  },
  async run(context) {
    const { config, log } = setup(context);
    const runtime = await startRuntime({ config, log, role: 'worker' });
    context.out(`Tandem worker ${runtime.workerId} is taking jobs.`);
    const signal = await context.waitForStop();
    context.out(`Received ${signal}; stopping.`);
    await runtime.stop();
    return 0;
  },
};
