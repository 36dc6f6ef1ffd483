import { personObjects, type PersonObject } from '../../core/index.ts';
import { timelineView } from '../../server/ledger-views.ts';
import type { LedgerEvent } from '../../store/index.ts';
import { recordTimeline, type RecordLookup, type Timeline } from '../../sync/timeline.ts';
import { databaseOptions, UsageError, type Command, type CommandContext } from '../command.ts';
import {
  eventRows,
  failureHeader,
  failureRows,
  positiveInt,
  table,
  timeOf,
} from './ledger-output.ts';
import { withStore } from './support.ts';

export const logCommand: Command = {
  name: 'log',
  summary: "Show a record's history: what Tandem did with it and its linked counterpart, and why.",
  usage: 'tandem log --intercom ID | --salesforce ID [--type Lead|Contact] [options]',
  details: [
    'Lists the ledger events of the record and of the record it is linked to, oldest first:',
    'links, Leads created, fields before → after, skips and their reason, conflicts with the',
    'winner and the rule, failures with their category and Salesforce errorCode',
    '(docs/ledger.md). Open failures of the record follow; replay them with `tandem retry`.',
  ].join('\n'),
  options: {
    intercom: { type: 'string', value: 'ID', describe: 'an Intercom contact id' },
    salesforce: { type: 'string', value: 'ID', describe: 'a Salesforce Lead or Contact id' },
    type: {
      type: 'string',
      value: 'OBJECT',
      describe: 'Lead or Contact, for a Salesforce record that is not linked (default: both)',
    },
    limit: {
      type: 'string',
      value: 'N',
      describe: 'show only the latest N events (default 100)',
    },
    json: { type: 'boolean', describe: 'print the timeline as the admin API answers it' },
    ...databaseOptions,
  },
  async run(context) {
    const lookup = lookupOf(context);
    const limit = positiveInt(context.values['limit'], 'limit') ?? 100;
    return withStore(context, async (store) => {
      const timeline = await wholeTimeline(store, lookup);
      const open = (
        await Promise.all(
          timeline.subjects.map((recordKey) => store.failures.listOpen({ recordKey })),
        )
      )
        .flat()
        .sort((a, b) => a.id - b.id);
      const name = recordName(timeline);
      if (timeline.link === null && timeline.events.length === 0 && open.length === 0) {
        context.err(`tandem log: Tandem has recorded nothing about ${name}.`);
        return 1;
      }
      const shown = timeline.events.slice(-limit);
      if (context.values['json']) {
        context.out(JSON.stringify(timelineView({ ...timeline, events: shown }, open), null, 2));
        return 0;
      }
      const { link } = timeline;
      context.out(
        link
          ? `${name}: linked to ${
              lookup.system === 'intercom'
                ? `Salesforce ${link.salesforceType} ${link.salesforceId}`
                : `Intercom contact ${link.intercomId}`
            } since ${timeOf(link.createdAt)} UTC`
          : `${name}: not linked`,
      );
      context.out('');
      const hidden = timeline.events.length - shown.length;
      if (hidden > 0)
        context.out(`… ${hidden} earlier event${hidden === 1 ? '' : 's'} (--limit to see them)`);
      if (shown.length === 0) context.out('No events yet.');
      else
        for (const line of table(['TIME (UTC)', 'EVENT', 'SIDE', 'SUMMARY'], eventRows(shown)))
          context.out(line);
      if (open.length > 0) {
        context.out('');
        context.out(`Needs attention (${open.length}):`);
        for (const line of table(failureHeader, failureRows(open))) context.out(`  ${line}`);
        context.out(
          `Replay once the cause is fixed: tandem retry ${open.map((f) => f.id).join(' ')}`,
        );
      }
      return 0;
    });
  },
};

function lookupOf(context: CommandContext): RecordLookup {
  const intercom = context.values['intercom'];
  const salesforce = context.values['salesforce'];
  const type = context.values['type'];
  if (typeof intercom === 'string' && typeof salesforce === 'string')
    throw new UsageError('give either --intercom or --salesforce, not both');
  if (typeof type === 'string' && !personObjects.includes(type as PersonObject))
    throw new UsageError(`--type is Lead or Contact, not "${type}"`);
  if (typeof intercom === 'string' && intercom !== '') {
    if (type !== undefined) throw new UsageError('--type is for Salesforce records only');
    return { system: 'intercom', id: intercom };
  }
  if (typeof salesforce === 'string' && salesforce !== '')
    return {
      system: 'salesforce',
      id: salesforce,
      ...(typeof type === 'string' ? { type: type as PersonObject } : {}),
    };
  throw new UsageError('which record? give --intercom ID or --salesforce ID');
}

/** Every page of the timeline. */
async function wholeTimeline(
  deps: Parameters<typeof recordTimeline>[0],
  lookup: RecordLookup,
): Promise<Timeline> {
  let page = await recordTimeline(deps, lookup, { limit: 1000 });
  const events: LedgerEvent[] = [...page.events];
  while (page.next !== undefined) {
    page = await recordTimeline(deps, lookup, { limit: 1000, after: page.next });
    events.push(...page.events);
  }
  return { ...page, events, next: undefined };
}

function recordName(timeline: Timeline): string {
  const { system, id, type } = timeline.record;
  return system === 'intercom' ? `Intercom contact ${id}` : `Salesforce ${type ?? 'record'} ${id}`;
}
