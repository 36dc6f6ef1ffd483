// The Intercom reconciliation sweep: what webhooks missed (a failed delivery, a change Intercom
// sends no notification for). The connector asks from the day before, because Intercom compares
// dates by calendar day, and keeps only contacts updated at or after `since`; the inbox, unique
// per `sweep:<id>:<updated_at>`, makes a contact the overlap brings back again harmless.
import type { Logger } from 'pino';
import type { ConnectorError, IntercomConnector } from '../../connectors/index.ts';
import type {
  CheckpointsRepository,
  EventsRepository,
  InboxRepository,
} from '../../store/index.ts';
import { checkpointNames } from './checkpoint.ts';
import { enqueueIntercomContact, intercomContactKey, type JobSink } from './jobs.ts';

export interface SweepCheckpoint {
  /** The latest `updated_at` seen, epoch ms. */
  readonly watermark: number;
}

export interface IntercomSweepDeps {
  readonly connector: Pick<IntercomConnector, 'contactsUpdatedSince'>;
  readonly checkpoints: CheckpointsRepository;
  readonly inbox: InboxRepository;
  readonly events: EventsRepository;
  readonly jobs: JobSink;
  readonly log: Logger;
  readonly now: () => number;
  readonly overlapMs: number;
}

export type SweepOutcome =
  | { readonly ok: true; readonly queued: readonly string[]; readonly advanced: boolean }
  | { readonly ok: false; readonly error: ConnectorError };

export async function sweepIntercom(deps: IntercomSweepDeps): Promise<SweepOutcome> {
  const name = checkpointNames.intercomSweep;
  const stored = await deps.checkpoints.get(name);
  const previous = (stored?.value as SweepCheckpoint | undefined) ?? { watermark: deps.now() };
  const since = new Date(previous.watermark - deps.overlapMs);

  const queued: string[] = [];
  let watermark = previous.watermark;
  for await (const page of deps.connector.contactsUpdatedSince(since)) {
    if (!page.ok) return page;
    for (const contact of page.value) {
      const updatedAt = contact.updated_at * 1000;
      if (updatedAt > watermark) watermark = updatedAt;
      const recordKey = intercomContactKey(contact.id);
      const { event, duplicate } = await deps.inbox.add({
        source: 'intercom',
        topic: `sweep.contact.${contact.role}`,
        eventId: `sweep:${contact.id}:${contact.updated_at}`,
        recordKey,
        body: JSON.stringify(contact),
      });
      // As the webhook intake does: a stored change whose job has not run yet is queued again
      // (the job key coalesces it), one already processed is not.
      if (event.processedAt !== null) continue;
      await enqueueIntercomContact(deps.jobs, recordKey, event.id);
      if (duplicate) continue;
      queued.push(contact.id);
      await deps.events.append({
        kind: 'change.captured',
        subject: recordKey,
        data: { source: 'intercom.sweep', updatedAt: contact.updated_at, inboxId: event.id },
      });
    }
  }
  const written = await deps.checkpoints.set(name, { watermark }, stored?.version ?? 0);
  if (!written)
    deps.log.warn({ checkpoint: name }, 'another process moved the sweep checkpoint; keeping its');
  if (queued.length > 0)
    deps.log.info({ queued: queued.length }, 'the Intercom sweep queued changes webhooks missed');
  return { ok: true, queued, advanced: written !== undefined };
}
