// How `tandem log`, `tandem failures` and `tandem retry` print what the ledger holds: one line
// per event, with the summary a person needs (fields before → after, why something was skipped,
// who won a conflict, why a call failed). docs/ledger.md describes the event kinds.
import type { Failure, LedgerEvent } from '../../store/index.ts';
import { parseRecordKey } from '../../sync/timeline.ts';
import { UsageError } from '../command.ts';

/** Aligned columns; the last one is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** UTC, to the second: `2026-11-21 13:05:02`. */
export const timeOf = (at: Date) => at.toISOString().replace('T', ' ').slice(0, 19);

/** Which side an event's subject is: `intercom`, `Lead`, `Contact`, or the subject itself. */
export function sideOf(subject: string | null): string {
  if (subject === null) return '';
  const record = parseRecordKey(subject);
  if (!record) return subject;
  return record.system === 'intercom' ? 'intercom' : record.type;
}

const systemNames: Record<string, string> = { intercom: 'Intercom', salesforce: 'Salesforce' };

/** A value as a short text: `—` for empty, strings as they are, the rest as JSON. */
export function valueText(value: unknown, max = 40): string {
  if (value === null || value === undefined || value === '') return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const record = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/** `name → LastName` for a mapping as the ledger stores it. */
function mappingText(value: unknown): string | undefined {
  const mapping = record(value);
  if (!mapping) return undefined;
  const intercom = str(mapping['intercom']);
  const salesforce = str(mapping['salesforce']);
  return intercom && salesforce ? `${intercom} ↔ ${salesforce}` : (intercom ?? salesforce);
}

/** `Email: a@x → b@x` for each changed field, whether listed or keyed by field. */
function changesText(fields: unknown): string {
  const changes: { field: string; before: unknown; after: unknown }[] = [];
  if (Array.isArray(fields)) {
    for (const item of fields) {
      const change = record(item);
      const field = change && str(change['field']);
      if (change && field)
        changes.push({
          field,
          before: change['before'] ?? change['old'],
          after: change['after'] ?? change['new'],
        });
    }
  } else {
    for (const [field, value] of Object.entries(record(fields) ?? {})) {
      const change = record(value);
      changes.push({ field, before: change?.['before'], after: change?.['after'] ?? value });
    }
  }
  return changes
    .map((c) => `${c.field}: ${valueText(c.before)} → ${valueText(c.after)}`)
    .join(', ');
}

/** A link side as the ledger stores it (`{ intercomId, salesforceId, salesforceType }`). */
function sideText(value: unknown): string {
  const side = record(value);
  if (!side) return valueText(value);
  const parts = [
    str(side['intercomId']) && `intercom ${str(side['intercomId'])}`,
    str(side['salesforceId']) &&
      `${str(side['salesforceType']) ?? 'salesforce'} ${str(side['salesforceId'])}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ↔ ') : valueText(side, 60);
}

/** What `sync.failed` says happens next. */
const nextSteps: Record<string, string> = {
  needs_attention: '→ needs attention',
  needs_reconnect: '→ paused until reconnected',
  retry: '→ will retry',
};

const withDetail = (head: string, detail: string | undefined) =>
  detail ? `${head}: ${detail}` : head;

/** What an event says, in one line. Unknown kinds show their data as JSON. */
export function summaryOf(event: LedgerEvent): string {
  const data = event.data;
  switch (event.kind) {
    case 'record.updated': {
      const system = str(data['system']);
      const object = str(data['object']) ?? (system === 'intercom' ? 'contact' : undefined);
      const where = [systemNames[system ?? ''] ?? system, object].filter(Boolean).join(' ');
      return withDetail(where || 'updated', changesText(data['fields']));
    }
    case 'lead.created': {
      const fields = Object.keys(record(data['fields']) ?? {}).length;
      const fallbacks = Array.isArray(data['fallbacks'])
        ? data['fallbacks']
            .map((f) => record(f))
            .filter((f) => f !== undefined)
            .map((f) => `${valueText(f['field'])} from ${valueText(f['source'])}`)
        : [];
      // An upsert on the external-ID field may find the Lead a retried create already made.
      const verb = data['created'] === false ? 'upserted existing Lead' : 'created Lead';
      return [
        `${verb} ${str(data['salesforceId']) ?? ''}`.trim(),
        fields > 0 ? `${fields} field${fields === 1 ? '' : 's'}` : undefined,
        fallbacks.length > 0 ? `fallbacks: ${fallbacks.join(', ')}` : undefined,
      ]
        .filter(Boolean)
        .join('; ');
    }
    case 'attribute.created': {
      const mapping = mappingText(data['mapping']);
      const head = `created Intercom attribute ${valueText(data['name'])} (${valueText(data['dataType'])})`;
      return mapping ? `${head} for ${mapping}` : head;
    }
    case 'sync.skipped': {
      const mapping = mappingText(data['mapping']);
      const head = str(data['reason']) ?? 'skipped';
      return withDetail(mapping ? `${head} (${mapping})` : head, str(data['detail']));
    }
    case 'sync.conflict': {
      const mapping = mappingText(data['mapping']) ?? str(data['field']) ?? 'a field';
      return (
        `${mapping}: intercom ${valueText(data['intercomValue'])} vs salesforce ` +
        `${valueText(data['salesforceValue'])}; ${valueText(data['winner'])} wins by ${valueText(data['rule'])}`
      );
    }
    case 'sync.failed': {
      const head = [str(data['category']), str(data['errorCode'])].filter(Boolean).join(' ');
      const fields = Array.isArray(data['fields']) && data['fields'].length > 0;
      const message = str(data['message']);
      const where = str(data['operation']);
      return [
        head || 'failed',
        where && `during ${where}`,
        message && `— ${valueText(message, 100)}`,
        fields &&
          fieldsNote(
            message ?? '',
            (data['fields'] as unknown[]).map((f) => valueText(f)),
          ).trim(),
        nextSteps[str(data['next']) ?? ''],
      ]
        .filter(Boolean)
        .join(' ');
    }
    case 'link.created': {
      const passed = Array.isArray(data['duplicates']) ? data['duplicates'].length : 0;
      const duplicates =
        passed > 0 ? `; ${passed} duplicate candidate${passed === 1 ? '' : 's'} passed over` : '';
      return withDetail(`linked ${sideText(data)}`, str(data['reason'])) + duplicates;
    }
    case 'link.moved': {
      const from = record(data['from']) ?? {};
      const to = record(data['to']) ?? {};
      // Only one side moves; show that one when both are there to compare.
      const same = (key: string) => from[key] !== undefined && from[key] === to[key];
      const moved = same('intercomId')
        ? ['salesforceId', 'salesforceType']
        : same('salesforceId')
          ? ['intercomId']
          : ['intercomId', 'salesforceId', 'salesforceType'];
      const pick = (side: Record<string, unknown>) =>
        Object.fromEntries(moved.map((key) => [key, side[key]]));
      return withDetail(`${sideText(pick(from))} → ${sideText(pick(to))}`, str(data['reason']));
    }
    case 'link.dropped':
      return withDetail(`unlinked ${sideText(data)}`, str(data['reason']));
    case 'webhook.received': {
      const events = Array.isArray(data['events']) ? data['events'].length : data['events'];
      const count = typeof events === 'number' ? events : undefined;
      return `${count ?? 'webhook'} ${count === 1 ? 'event' : 'events'} taken in (inbox #${valueText(data['inboxId'])})`;
    }
    case 'failure.replayed':
      return `failure #${valueText(data['failure'])} (${valueText(data['category'])}) replayed by ${valueText(data['by'])}`;
    case 'failure.resolved':
      return withDetail(
        `failure #${valueText(data['failure'])} (${valueText(data['category'])}) resolved by ${valueText(data['by'])}`,
        str(data['note']),
      );
    case 'change.captured':
    case 'change.gap':
      return valueText(data['source'] ?? data['changeType'], 60);
    case 'connection.needs_reconnect':
      return withDetail(valueText(data['reason'], 80), str(data['action']));
    default: {
      const rest = Object.fromEntries(
        Object.entries(data).filter(([key]) => key !== 'job' && key !== 'trigger'),
      );
      return Object.keys(rest).length === 0 ? '' : valueText(rest, 120);
    }
  }
}

export function eventRows(events: readonly LedgerEvent[]): string[][] {
  return events.map((event) => [
    timeOf(event.at),
    event.kind,
    sideOf(event.subject),
    summaryOf(event),
  ]);
}

/** ` [Company]` unless the message names the fields already. */
const fieldsNote = (message: string, fields: readonly string[]) =>
  fields.length === 0 || fields.every((field) => message.includes(field))
    ? ''
    : ` [${fields.join(', ')}]`;

export const failureHeader = ['ID', 'LAST SEEN', 'RECORD', 'CATEGORY', 'CODE', 'TRIES', 'MESSAGE'];

export function failureRows(failures: readonly Failure[]): string[][] {
  return failures.map((f) => [
    String(f.id),
    timeOf(f.lastSeenAt),
    f.recordKey,
    f.category,
    f.errorCode ?? '—',
    String(f.attempts),
    `${f.operation}: ${valueText(f.message, 100)}${fieldsNote(f.message, f.fields)}`,
  ]);
}

/** A `--limit`-style flag. */
export function positiveInt(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1)
    throw new UsageError(`--${flag} is a positive whole number, not "${String(value)}"`);
  return n;
}
