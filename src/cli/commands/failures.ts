import { failureView } from '../../server/ledger-views.ts';
import { failureCategories, type FailureCategory } from '../../store/index.ts';
import { parseRecordKey, recordSystems, type RecordSystem } from '../../sync/timeline.ts';
import { databaseOptions, UsageError, type Command } from '../command.ts';
import { failureHeader, failureRows, positiveInt, table } from './ledger-output.ts';
import { withStore } from './support.ts';

export const failuresCommand: Command = {
  name: 'failures',
  summary: 'List the records that need attention: syncs that failed and wait for a replay.',
  usage: 'tandem failures [--category CATEGORY] [--system SYSTEM] [--record KEY] [options]',
  details: [
    'Each line is a record whose sync failed after its retries, or at once when retrying could',
    'not help (a validation rule, a missing permission), with the category and Salesforce',
    'errorCode. Fix the cause, then `tandem retry ID…` or `tandem retry --all`.',
    `Categories: ${failureCategories.join(', ')}.`,
  ].join('\n'),
  options: {
    category: { type: 'string', value: 'CATEGORY', describe: 'only this category' },
    system: {
      type: 'string',
      value: 'SYSTEM',
      describe: 'only calls to this system that failed: intercom or salesforce',
    },
    record: {
      type: 'string',
      value: 'KEY',
      describe: 'only this record (intercom:contact:ID, salesforce:Lead:ID, salesforce:Contact:ID)',
    },
    limit: {
      type: 'string',
      value: 'N',
      describe: 'at most N failures, oldest first (default 1000)',
    },
    json: { type: 'boolean', describe: 'print the list as the admin API answers it' },
    ...databaseOptions,
  },
  async run(context) {
    const { category, system, record } = context.values;
    if (category !== undefined && !failureCategories.includes(category as FailureCategory))
      throw new UsageError(
        `--category is one of ${failureCategories.join(', ')}, not "${String(category)}"`,
      );
    if (system !== undefined && !recordSystems.includes(system as RecordSystem))
      throw new UsageError(`--system is intercom or salesforce, not "${String(system)}"`);
    if (record !== undefined && (typeof record !== 'string' || !parseRecordKey(record)))
      throw new UsageError(
        `--record is a record key such as intercom:contact:ID or salesforce:Lead:ID, not "${String(record)}"`,
      );
    const limit = positiveInt(context.values['limit'], 'limit') ?? 1000;
    return withStore(context, async (store) => {
      const failures = await store.failures.listOpen({
        limit,
        ...(category === undefined ? {} : { category: category as FailureCategory }),
        ...(system === undefined ? {} : { system: system as RecordSystem }),
        ...(record === undefined ? {} : { recordKey: record as string }),
      });
      if (context.values['json']) {
        context.out(JSON.stringify({ data: failures.map(failureView) }, null, 2));
        return 0;
      }
      if (failures.length === 0) {
        context.out('Nothing needs attention.');
        return 0;
      }
      for (const line of table(failureHeader, failureRows(failures))) context.out(line);
      context.out('');
      context.out(
        `${failures.length} record${failures.length === 1 ? '' : 's'} need${failures.length === 1 ? 's' : ''} attention. ` +
          'Fix the cause, then `tandem retry ID…` or `tandem retry --all`; `tandem log` shows a record’s history.',
      );
      return 0;
    });
  },
};
