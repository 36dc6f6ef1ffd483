// The safety net under CDC: Leads and Contacts whose SystemModstamp is at or after the watermark
// minus an overlap (for commits that land late and clocks that disagree) become jobs. What the
// overlap brings back a second time is recognised by the `seen` map (id → SystemModstamp) kept in
// the checkpoint, so an unchanged record is not queued again on every sweep.
import type { Logger } from 'pino';
import type {
  ConnectorError,
  PersonObject,
  SalesforceConnector,
  SObjectRecord,
} from '../../connectors/index.ts';
import type { CheckpointsRepository, EventsRepository } from '../../store/index.ts';
import type { BudgetTracker } from '../budget.ts';
import { checkpointNames } from './checkpoint.ts';
import { enqueueSalesforceRecord, salesforceRecordKey, type JobSink } from './jobs.ts';

export interface PollCheckpoint {
  /** The latest SystemModstamp seen (epoch ms). */
  readonly watermark: number;
  /**
   * Records seen within the overlap window: id → SystemModstamp as Salesforce wrote it, and
   * `deleted:<id>` → deletedDate for deletions.
   */
  readonly seen: Readonly<Record<string, string>>;
}

export interface SalesforcePollDeps {
  readonly connector: Pick<SalesforceConnector, 'query' | 'deletedSince'>;
  readonly checkpoints: CheckpointsRepository;
  readonly events: EventsRepository;
  readonly jobs: JobSink;
  readonly log: Logger;
  readonly now: () => number;
  readonly overlapMs: number;
  /**
   * The API budget (docs/budget.md): the poll is live work, so while the live lane is paused it
   * skips its round (the watermark stays, the next round after the pause covers the gap).
   */
  readonly budget?: Pick<BudgetTracker, 'check'>;
}

export type PollOutcome =
  | {
      readonly ok: true;
      readonly queued: readonly string[];
      readonly advanced: boolean;
      /** True when the budget paused the round: nothing was read. */
      readonly paused?: boolean;
    }
  | { readonly ok: false; readonly error: ConnectorError };

/** SOQL datetime literal, whole seconds (`2026-03-10T09:00:00Z`): flooring only widens the window. */
const soqlDateTime = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export async function pollSalesforce(
  deps: SalesforcePollDeps,
  object: PersonObject,
): Promise<PollOutcome> {
  if (deps.budget && !(await deps.budget.check('live')))
    return { ok: true, queued: [], advanced: false, paused: true };
  const name = checkpointNames.salesforcePoll(object);
  const stored = await deps.checkpoints.get(name);
  const previous = (stored?.value as PollCheckpoint | undefined) ?? {
    // First sweep: from now (CDC and the initial matching cover what came before).
    watermark: deps.now(),
    seen: {},
  };
  const from = previous.watermark - deps.overlapMs;
  const soql =
    `SELECT Id, SystemModstamp FROM ${object} ` +
    `WHERE SystemModstamp >= ${soqlDateTime(from)} ORDER BY SystemModstamp, Id`;

  const seen: Record<string, string> = { ...previous.seen };
  const queued: string[] = [];
  let watermark = previous.watermark;
  for await (const page of deps.connector.query<SObjectRecord & { SystemModstamp: string }>(soql)) {
    if (!page.ok) return page;
    for (const record of page.value.records) {
      const id = record.Id;
      if (id === undefined) continue;
      const modstamp = record.SystemModstamp;
      const at = Date.parse(modstamp);
      if (at > watermark) watermark = at;
      if (seen[id] === modstamp) continue;
      seen[id] = modstamp;
      await enqueueSalesforceRecord(deps.jobs, object, id);
      queued.push(id);
      await deps.events.append({
        kind: 'change.captured',
        subject: salesforceRecordKey(object, id),
        data: { source: 'salesforce.poll', systemModstamp: modstamp },
      });
    }
  }

  // Deleted records leave SOQL; `/deleted` lists them (the window is cut to whole minutes, so the
  // current minute is covered by the next sweep's overlap). Its failure (a window older than
  // Salesforce keeps, 30 days) loses only the safety net for deletions: CDC delivers them too.
  const deleted = await deps.connector.deletedSince(object, new Date(from), new Date(deps.now()));
  if (deleted.ok) {
    for (const { id, deletedDate } of deleted.value.deleted) {
      const key = `deleted:${id}`;
      if (seen[key] === deletedDate) continue;
      seen[key] = deletedDate;
      await enqueueSalesforceRecord(deps.jobs, object, id);
      queued.push(id);
      await deps.events.append({
        kind: 'change.captured',
        subject: salesforceRecordKey(object, id),
        data: { source: 'salesforce.poll', deletedDate },
      });
    }
  } else deps.log.warn({ object, error: deleted.error }, 'could not list deleted records');

  // Keep only what the next sweep's overlap can bring back.
  const horizon = watermark - deps.overlapMs;
  for (const [id, modstamp] of Object.entries(seen))
    if (Date.parse(modstamp) < horizon) delete seen[id];
  const next: PollCheckpoint = { watermark, seen };
  const written = await deps.checkpoints.set(name, next, stored?.version ?? 0);
  if (!written)
    deps.log.warn({ checkpoint: name }, 'another process moved the poll checkpoint; keeping its');
  if (queued.length > 0)
    deps.log.info({ object, queued: queued.length }, 'the SystemModstamp poll queued changes');
  return { ok: true, queued, advanced: written !== undefined };
}
