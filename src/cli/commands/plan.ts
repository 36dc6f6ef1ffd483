import { directions, personObjects, type Direction, type PersonObject } from '../../core/index.ts';
import { SyncCallError } from '../../sync/person-errors.ts';
import { planPeople } from '../../sync/plan.ts';
import { openPlanContext } from '../../sync/plan-context.ts';
import {
  countReport,
  csvHeader,
  csvLine,
  emptyCounts,
  planOutcomes,
  rowsOf,
  shown,
  type PlanCounts,
  type PlanRow,
} from '../../sync/plan-rows.ts';
import { databaseOptions, UsageError, type Command, type CommandContext } from '../command.ts';
import { positiveInt, table } from './ledger-output.ts';
import { connectorFactories, withStore } from './support.ts';

const formats = ['table', 'json', 'csv'] as const;
type Format = (typeof formats)[number];

/** The table holds its rows to print them after the counts: at most this many. */
const tableRows = 500;

export const planCommand: Command = {
  name: 'plan',
  summary: 'Dry run: show what people sync would do for everyone, and write nothing.',
  usage:
    'tandem plan [--direction to_salesforce|to_intercom|both] [--objects leads,contacts] [--format table|json|csv] [--limit N]',
  details: [
    'Pages through Intercom contacts (and Salesforce Leads and Contacts towards Intercom), matches',
    'and plans each person under the current settings as live sync would, and reports what would',
    'be matched (record, reason and rule), created (a Lead, its fields and fallbacks), updated',
    '(field by field, old → new), skipped and why, the conflicts and the duplicate candidates.',
    'Nothing is written to Salesforce, Intercom or the store (docs/setup.md, "Dry run").',
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
      describe: 'Salesforce objects to plan for: leads, contacts or both (default leads,contacts)',
    },
    format: { type: 'string', value: 'FORMAT', describe: 'table (default), json or csv' },
    limit: { type: 'string', value: 'N', describe: 'plan at most N people' },
    ...databaseOptions,
  },
  async run(context) {
    const options = optionsOf(context);
    return withStore(context, async (store) => {
      const opened = await openPlanContext(store, connectorFactories);
      if (!opened.ok) {
        context.err(`tandem plan: ${opened.problem}`);
        return 1;
      }
      const printer = printerFor(options.format, context);
      const counts = emptyCounts();
      try {
        for await (const report of planPeople(opened.context, options)) {
          countReport(counts, report);
          for (const row of rowsOf(report)) printer.row(row);
        }
      } catch (error) {
        if (!(error instanceof SyncCallError)) throw error;
        printer.end(counts);
        context.err(`tandem plan: ${error.message}`);
        return 1;
      }
      printer.end(counts);
      return 0;
    });
  },
};

interface Options {
  readonly direction: Direction;
  readonly objects: PersonObject[];
  readonly format: Format;
  readonly limit?: number;
}

export function optionsOf(context: CommandContext): Options {
  const { direction = 'both', format = 'table', objects = 'leads,contacts' } = context.values;
  if (!directions.includes(direction as Direction))
    throw new UsageError(
      `--direction is one of ${directions.join(', ')}, not "${String(direction)}"`,
    );
  if (!formats.includes(format as Format))
    throw new UsageError(`--format is one of ${formats.join(', ')}, not "${String(format)}"`);
  const names = String(objects)
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const chosen = personObjects.filter((object) => names.includes(`${object.toLowerCase()}s`));
  const unknown = names.filter((name) => name !== 'leads' && name !== 'contacts');
  if (unknown.length > 0 || chosen.length === 0)
    throw new UsageError(
      `--objects is leads, contacts or leads,contacts, not "${String(objects)}"`,
    );
  const limit = positiveInt(context.values['limit'], 'limit');
  return {
    direction: direction as Direction,
    objects: chosen,
    format: format as Format,
    ...(limit === undefined ? {} : { limit }),
  };
}

interface Printer {
  row(row: PlanRow): void;
  end(counts: PlanCounts): void;
}

function printerFor(format: Format, context: CommandContext): Printer {
  if (format === 'csv') {
    context.out(csvHeader.join(','));
    return { row: (row) => context.out(csvLine(row)), end: () => {} };
  }
  if (format === 'json') {
    // One document, streamed a row per line: `{"rows":[` … `],"summary":{…}}`.
    let first = true;
    context.out('{"rows":[');
    return {
      row(row) {
        context.out(`${first ? '' : ','}${JSON.stringify(row)}`);
        first = false;
      },
      end: (counts) => context.out(`],"summary":${JSON.stringify(counts)}}`),
    };
  }
  const held: PlanRow[] = [];
  let more = 0;
  return {
    row(row) {
      if (held.length < tableRows) held.push(row);
      else more += 1;
    },
    end(counts) {
      for (const line of summaryLines(counts)) context.out(line);
      if (held.length === 0) return;
      context.out('');
      const header = ['PERSON', 'SALESFORCE', 'ACTION', 'FIELD', 'CHANGE', 'WHY'];
      for (const line of table(header, held.map(tableRow))) context.out(line);
      if (more > 0)
        context.out(`… ${more} more rows: use --format csv or json, or --limit, to see them all.`);
    },
  };
}

function summaryLines(counts: PlanCounts): string[] {
  const labels: Record<(typeof planOutcomes)[number], string> = {
    people: 'people planned',
    matched: 'matched (a new link)',
    linked: 'already linked',
    create: 'Lead to create',
    update: 'with updates',
    conflict: 'with conflicts',
    duplicate: 'with duplicate candidates',
    nothing_to_do: 'nothing to write',
  };
  const lines = [`Dry run: nothing was written. ${counts.people} people planned.`];
  for (const outcome of planOutcomes.slice(1))
    lines.push(`  ${String(counts[outcome]).padStart(6)}  ${labels[outcome]}`);
  const skips = Object.entries(counts.skips).sort(([a], [b]) => a.localeCompare(b));
  if (skips.length > 0)
    lines.push(`  skipped (people): ${skips.map(([reason, n]) => `${reason} ${n}`).join(', ')}`);
  return lines;
}

function tableRow(row: PlanRow): string[] {
  const person = row.email ?? row.intercomId ?? '';
  const action =
    row.action === 'skip' ? `skip: ${row.reason}` : `${row.action} ${row.target}`.trimEnd();
  const change =
    row.action === 'update'
      ? `${shown(row.old)} → ${shown(row.new)}`
      : row.action === 'create'
        ? shown(row.new)
        : row.action === 'conflict'
          ? `SF ${shown(row.old)} / IC ${shown(row.new)}`
          : '';
  const why =
    row.action === 'skip' ? row.detail : [row.reason, row.detail].filter(Boolean).join(': ');
  return [person, row.salesforce ?? '', action, row.field ?? '', change, why];
}
