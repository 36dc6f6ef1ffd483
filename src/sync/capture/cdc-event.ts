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
  const { event: stored, duplicate } = await deps.inbox.add({
    source: 'salesforce',
    topic: `${type}.${header.changeType}`,
    eventId: `${channel}:${replayId}`,
    recordKey: ids.length === 1 && ids[0] !== undefined ? salesforceRecordKey(type, ids[0]) : null,
    body: JSON.stringify(event),
  });
  // Already turned into jobs before a restart: nothing to add again.
  if (duplicate && stored.processedAt !== null) return;

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
    await deps.events.append({ kind: 'change.gap', subject: `salesforce:${type}`, data });
  } else {
    // A GAP_* event says "this record changed, fields unknown": the job retrieves it, which is
    // the targeted poll the gap asks for.
    for (const id of ids) await enqueueSalesforceRecord(deps.jobs, type, id);
    for (const id of ids)
      await deps.events.append({
        kind: gap ? 'change.gap' : 'change.captured',
        subject: salesforceRecordKey(type, id),
        data,
      });
  }
  // For Salesforce events "processed" means "handed to the sync as jobs": the job payload names
  // the record, not the event, and the handler reads the record's current state.
  await deps.inbox.markProcessed([stored.id]);
}
