// One Salesforce change event in: stored in the inbox, one job per record, the origin in the
// ledger, then the replay id checkpointed. In that order, so a crash anywhere replays the event
// (at least once) and the inbox's uniqueness makes the replay cheap.
import type { ChangeEvent, PersonObject } from '../../connectors/index.ts';
import type {
  EventsRepository,
  InboxRepository,
  CheckpointsRepository,
} from '../../store/index.ts';
import { salesforceCallOptionsClient } from '../connections.ts';
import { advanceReplayId } from './checkpoint.ts';
import {
  enqueueSalesforceRecord,
  isPersonObject,
  salesforceRecordKey,
  type JobSink,
} from './jobs.ts';

export interface ChangeEventDeps {
  readonly checkpoints: CheckpointsRepository;
  readonly inbox: InboxRepository;
  readonly events: EventsRepository;
  readonly jobs: JobSink;
  /** A GAP_OVERFLOW names no records: the object's SystemModstamp poll runs now instead. */
  readonly onOverflow: (object: PersonObject) => void;
}

const tandemOrigin = new RegExp(`;client=${salesforceCallOptionsClient}(?:;|$)`);

/** True when the change was made by Tandem's own calls (`Sforce-Call-Options: client=tandem`). */
export const isTandemOrigin = (changeOrigin: string | undefined): boolean =>
  changeOrigin !== undefined && tandemOrigin.test(changeOrigin);

export async function captureChangeEvent(
  deps: ChangeEventDeps,
  channel: string,
  event: ChangeEvent,
): Promise<void> {
  const header = event.payload.ChangeEventHeader;
  const replayId = event.event.replayId;
  const entity = header.entityName;
  // `/data/ChangeEvents` carries every object selected for CDC; only people concern Tandem.
  if (isPersonObject(entity)) await capturePersonChange(deps, channel, event, entity);
  await advanceReplayId(deps.checkpoints, channel, replayId);
}

async function capturePersonChange(
  deps: ChangeEventDeps,
  channel: string,
  event: ChangeEvent,
  type: PersonObject,
): Promise<void> {
  const header = event.payload.ChangeEventHeader;
  const replayId = event.event.replayId;
  const ids = header.recordIds;
  const single = ids.length === 1 && header.changeType !== 'GAP_OVERFLOW' ? ids[0] : undefined;
  const { event: stored, duplicate } = await deps.inbox.add({
    source: 'salesforce',
    topic: `${type}.${header.changeType}`,
    eventId: `${channel}:${replayId}`,
    recordKey: single === undefined ? null : salesforceRecordKey(type, single),
    body: JSON.stringify(event),
  });
  // Already synced before a restart: nothing to queue again. (Stored but not synced yet: queued
  // again, which the job key coalesces, as the webhook intake does.)
  if (stored.processedAt !== null) return;

  const gap = header.changeType.startsWith('GAP_');
  const data = {
    source: 'salesforce.cdc',
    channel,
    replayId,
    changeType: header.changeType,
    changeOrigin: header.changeOrigin,
    // Always queued: the handler tells an echo by the hash of what it last wrote.
    fromTandem: isTandemOrigin(header.changeOrigin),
    inboxId: stored.id,
  };
  if (header.changeType === 'GAP_OVERFLOW') {
    deps.onOverflow(type);
  } else {
    // A GAP_* event says "this record changed, fields unknown": the job retrieves it, which is
    // the targeted poll the gap asks for.
    for (const id of ids)
      await enqueueSalesforceRecord(
        deps.jobs,
        type,
        id,
        single === undefined ? undefined : stored.id,
      );
  }
  // Recorded again when an event comes back unprocessed (`duplicate` says so): a crash between
  // the jobs and the ledger must not leave a change without its entry.
  const ledgerData = { ...data, duplicate };
  if (ids.length === 0)
    await deps.events.append({
      kind: 'change.gap',
      subject: `salesforce:${type}`,
      data: ledgerData,
    });
  for (const id of ids)
    await deps.events.append({
      kind: gap ? 'change.gap' : 'change.captured',
      subject: salesforceRecordKey(type, id),
      data: ledgerData,
    });
  // The handler marks a one-record event processed when it syncs the record (the payload names
  // the event); an event of several records, or an overflow, has no record key to be marked by,
  // so it counts as processed once its jobs are queued.
  if (single === undefined) await deps.inbox.markProcessed([stored.id]);
}
