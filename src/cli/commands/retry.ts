import { createJobProducer, failureRequeuer } from '../../runtime/requeue.ts';
import { openDatabase } from '../../runtime/database.ts';
import { replayView } from '../../server/ledger-views.ts';
import { replayFailures } from '../../sync/attention.ts';
import { databaseOptions, UsageError, type Command } from '../command.ts';
import { setup } from '../setup.ts';
import { authorOf, authorOption } from './support.ts';

export const retryCommand: Command = {
  name: 'retry',
  summary: 'Replay failed records from the needs-attention list once their cause is fixed.',
  usage: 'tandem retry ID… | --all [options]',
  details: [
    'Takes the failures off the list and queues their records again, ahead of live changes;',
    'a running `tandem serve` or `tandem worker` syncs them. A failure is replayed once: its',
    'id does nothing a second time. If the sync fails again, the record is back on the list',
    'with a new id (`tandem failures`).',
  ].join('\n'),
  allowPositionals: true,
  options: {
    all: { type: 'boolean', describe: 'replay every open failure' },
    json: { type: 'boolean', describe: 'print the outcome as the admin API answers it' },
    ...authorOption,
    ...databaseOptions,
  },
  async run(context) {
    const all = context.values['all'] === true;
    if (all && context.positionals.length > 0)
      throw new UsageError('give failure ids or --all, not both');
    if (!all && context.positionals.length === 0)
      throw new UsageError('which failures? give their ids (see `tandem failures`) or --all');
    const ids = context.positionals.map((text) => {
      if (!/^\d+$/.test(text) || Number(text) < 1)
        throw new UsageError(`a failure id is a positive whole number, not "${text}"`);
      return Number(text);
    });
    const { config } = setup(context);
    const { store } = await openDatabase(config);
    try {
      await store.migrate();
      const producer = createJobProducer(config, store);
      try {
        const outcome = await replayFailures(
          { failures: store.failures, events: store.events, requeue: failureRequeuer(producer) },
          all ? { all: true } : { ids },
          authorOf(context),
        );
        if (!outcome.ok) {
          context.err(
            `tandem retry: no failure with id ${outcome.unknown.join(', ')}; nothing was replayed`,
          );
          return 1;
        }
        if (context.values['json']) {
          context.out(JSON.stringify(replayView(outcome), null, 2));
          return outcome.notQueued.length === 0 ? 0 : 1;
        }
        for (const r of outcome.replayed)
          context.out(`Replayed #${r.failure.id} ${r.failure.recordKey} (job ${r.jobId})`);
        for (const f of outcome.notOpen)
          context.out(
            `#${f.id} ${f.recordKey} already left the list (${f.resolution ?? 'resolved'})`,
          );
        for (const n of outcome.notQueued)
          context.err(
            `tandem retry: #${n.failure.id} ${n.failure.recordKey} could not be queued (${n.error}); it is back on the list as #${n.restored.id}`,
          );
        if (all && outcome.replayed.length === 0 && outcome.notQueued.length === 0)
          context.out('Nothing needs attention.');
        else if (outcome.replayed.length > 0)
          context.out(
            `${outcome.replayed.length} record${outcome.replayed.length === 1 ? '' : 's'} queued; \`tandem log\` shows how each sync went.`,
          );
        return outcome.notQueued.length === 0 ? 0 : 1;
      } finally {
        await producer.close();
      }
    } finally {
      await store.close();
    }
  },
};
