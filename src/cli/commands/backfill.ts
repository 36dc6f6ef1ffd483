import { Writable } from 'node:stream';
import { backfillService, type BackfillService } from '../../backfill/index.ts';
import { createProgressReporter, formatSummary } from '../../backfill/progress.ts';
import { startRuntime } from '../../runtime/compose.ts';
import { createLogger } from '../../runtime/logger.ts';
import { isInteractive } from '../../config/index.ts';
import { databaseOptions, type Command, type CommandContext } from '../command.ts';
import { setup } from '../setup.ts';
import { optionsOf, planCommand } from './plan.ts';

/** How often the command reads the backfill's progress from the store. */
const pollMs = 500;

export const backfillCommand: Command = {
  name: 'backfill',
  summary: 'Sync every person in both systems, matched or not, under the live-sync rules.',
  usage:
    'tandem backfill [--direction to_salesforce|to_intercom|both] [--objects leads,contacts] [--dry-run [--format table|json|csv] [--limit N]]',
  details: [
    'Reads every Intercom contact and every Salesforce Lead and Contact once, then matches, links,',
    'creates Leads and updates fields as live sync would, in chunks written together (Bulk API 2.0',
    'at or above TANDEM_BACKFILL_BULK_THRESHOLD records, sObject Collections below). Progress is',
    'stored after every chunk: an interrupted backfill (Ctrl-C, a crash, a restart) resumes where it',
    'stopped when `tandem backfill` runs again, or when any Tandem process picks its job up.',
    'With --dry-run it writes nothing and reports what it would do (the same report as tandem plan).',
  ].join('\n'),
  options: {
    direction: {
      type: 'string',
      value: 'DIRECTION',
      describe:
        'to_salesforce (Intercom people), to_intercom (Salesforce people) or both (default)',
    },
    objects: {
      type: 'string',
      value: 'LIST',
      describe: 'Salesforce objects: leads, contacts or both (default leads,contacts)',
    },
    'dry-run': { type: 'boolean', describe: 'write nothing; report what the backfill would do' },
    format: { type: 'string', value: 'FORMAT', describe: 'with --dry-run: table, json or csv' },
    limit: { type: 'string', value: 'N', describe: 'with --dry-run: report at most N people' },
    ...databaseOptions,
  },
  async run(context) {
    if (context.values['dry-run'] === true) return planCommand.run(context);
    const options = optionsOf(context);
    const { config } = setup(context);
    const format =
      config.logFormat === 'auto' ? (isInteractive() ? 'pretty' : 'json') : config.logFormat;
    // The progress display owns the terminal: only warnings and errors are logged beside it.
    const log = createLogger({ level: context.verbose ? config.logLevel : 'warn', format });
    const runtime = await startRuntime({ config, log, role: 'backfill' });
    const service = backfillService({ backfills: runtime.store.backfills, jobs: runtime.engine });
    try {
      const { backfill, resumed } = await service.start({
        direction: options.direction,
        objects: options.objects,
      });
      context.out(
        resumed
          ? `Resuming backfill #${backfill.id} (${backfill.direction}, ${backfill.objects.join(', ')}), interrupted during ${backfill.phase} with ${backfill.done} records done.`
          : `Backfill #${backfill.id} started (${backfill.direction}, ${backfill.objects.join(', ')}).`,
      );
      return await follow(context, service, backfill.id);
    } finally {
      await runtime.stop();
    }
  },
};

/** Shows the backfill's progress until it ends or the command is asked to stop. */
export async function follow(
  context: CommandContext,
  service: BackfillService,
  id: number,
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = progressStream(context),
): Promise<number> {
  const reporter = createProgressReporter({ stream });
  let stopped: string | undefined;
  void context.waitForStop().then((signal) => (stopped = signal));
  for (;;) {
    const backfill = await service.get(id);
    if (!backfill) throw new Error(`backfill #${id} disappeared from the store`);
    reporter.update(service.progress(backfill));
    const summary = service.summary(backfill);
    if (backfill.status !== 'running' && summary !== null) {
      reporter.done(summary);
      return backfill.status === 'completed' ? 0 : 1;
    }
    if (stopped !== undefined) {
      context.out('');
      context.out(
        `Received ${stopped}; stopping. Backfill #${id} keeps its progress: run tandem backfill again to resume it.`,
      );
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** The terminal when there is one (the live bar), else the command's output line by line. */
function progressStream(
  context: CommandContext,
): NodeJS.WritableStream & { isTTY?: boolean; columns?: number } {
  if (process.stdout.isTTY) return process.stdout;
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) context.out(line);
      done();
    },
  });
}

export { formatSummary };
