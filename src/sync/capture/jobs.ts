// The jobs change capture queues for the person-sync handlers (`../person-sync.ts`). Each is
// keyed by the record, so a burst of changes to one person coalesces into one run that reads the
// current state anyway.
import type { PersonObject } from '../../connectors/index.ts';
import type { AddJobOptions, JobPayload } from '../../queue/index.ts';
import { intercomRecordKey, salesforceRecordKey } from '../person-records.ts';
import {
  intercomContactTask,
  salesforceRecordTask,
  type IntercomContactJob,
  type SalesforceRecordJob,
} from '../person-sync.ts';

export { intercomContactTask, salesforceRecordTask, salesforceRecordKey };

/** The same key as the webhook intake's (`intercom:contact:ID`). */
export const intercomContactKey = intercomRecordKey;

/** What capture needs of the job engine: only `add`. */
export interface JobSink {
  add(task: string, payload: JobPayload, options?: AddJobOptions): Promise<{ id: string }>;
}

export const isPersonObject = (name: string): name is PersonObject =>
  name === 'Lead' || name === 'Contact';

/**
 * `inboxId`: the stored change event that queued the job, when it names this one record; the
 * handler marks the record's events up to it processed.
 */
export async function enqueueSalesforceRecord(
  jobs: JobSink,
  type: PersonObject,
  salesforceId: string,
  inboxId?: number,
): Promise<void> {
  const payload: SalesforceRecordJob = {
    salesforceId,
    type,
    ...(inboxId === undefined ? {} : { inboxId }),
  };
  await jobs.add(salesforceRecordTask, payload, {
    jobKey: salesforceRecordKey(type, salesforceId),
    lane: 'live',
  });
}

/** The payload and key the webhook intake queues (`src/runtime/compose.ts`). */
export async function enqueueIntercomContact(
  jobs: JobSink,
  recordKey: string,
  inboxId: number,
): Promise<void> {
  const payload: IntercomContactJob = { recordKey, inboxId };
  await jobs.add(intercomContactTask, payload, { jobKey: recordKey, lane: 'live' });
}
