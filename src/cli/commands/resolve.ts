import { failureView } from '../../server/ledger-views.ts';
import { resolveFailure } from '../../sync/attention.ts';
import { databaseOptions, UsageError, type Command } from '../command.ts';
import { authorOf, authorOption, withStore } from './support.ts';

export const resolveCommand: Command = {
  name: 'resolve',
  summary:
    'Close failures without replaying them (fixed by hand, or not worth syncing), with a note.',
  usage: 'tandem resolve ID… --note TEXT [options]',
  details: [
    'Takes the failures off the needs-attention list as `dismissed`; the note and who wrote it',
    "go to the record's ledger (`failure.resolved`, shown by `tandem log`). To sync the record",
    'again instead, use `tandem retry`.',
  ].join('\n'),
  allowPositionals: true,
  options: {
    note: { type: 'string', value: 'TEXT', describe: 'why no replay is needed (required)' },
    json: { type: 'boolean', describe: 'print the closed failures as the admin API answers' },
    ...authorOption,
    ...databaseOptions,
  },
  async run(context) {
    const note = context.values['note'];
    if (typeof note !== 'string' || note.trim() === '')
      throw new UsageError('say why with --note TEXT');
    if (context.positionals.length === 0)
      throw new UsageError('which failures? give their ids (see `tandem failures`)');
    const ids = context.positionals.map((text) => {
      if (!/^\d+$/.test(text) || Number(text) < 1)
        throw new UsageError(`a failure id is a positive whole number, not "${text}"`);
      return Number(text);
    });
    return withStore(context, async (store) => {
      const by = authorOf(context);
      let problems = 0;
      const closed = [];
      for (const id of new Set(ids)) {
        const outcome = await resolveFailure(store, id, note.trim(), by);
        if (outcome.ok) {
          closed.push(outcome.failure);
          if (!context.values['json']) context.out(`Resolved #${id} ${outcome.failure.recordKey}`);
        } else if (outcome.reason === 'not_found') {
          problems++;
          context.err(`tandem resolve: no failure with id ${id}`);
        } else {
          context.out(
            `#${id} ${outcome.failure.recordKey} already left the list (${outcome.failure.resolution ?? 'resolved'})`,
          );
        }
      }
      if (context.values['json'])
        context.out(JSON.stringify({ data: closed.map(failureView) }, null, 2));
      return problems === 0 ? 0 : 1;
    });
  },
};
