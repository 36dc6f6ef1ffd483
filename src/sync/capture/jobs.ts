// The jobs change capture queues for the person-sync handlers. Each is keyed by the record, so a
// burst of changes to one person coalesces into one run that reads the current state anyway.
import type { PersonObject } from '../../connectors/index.ts';
import type { AddJobOptions, JobPayload } from '../../queue/index.ts';

/** What capture needs of the job engine: only `add`. */
export interface JobSink {
  add(task: string, payload: JobPayload, options?: AddJobOptions): Promise<{ id: string }>;
}

export const salesforceRecordTask = 'sync.salesforce.record';
export const intercomContactTask = 'sync.intercom.contact';

export interface SalesforceRecordPayload {
  readonly [key: string]: unknown;
  readonly salesforceId: string;
  readonly type: PersonObject;
}

/** The same shape the webhook intake queues (`src/runtime/compose.ts`). */
export interface IntercomContactPayload {
  readonly [key: string]: unknown;
  readonly recordKey: string;
  /** The newest inbox event of the record when the job was (re)queued. */
  readonly inboxId: number;
}

export const salesforceRecordKey = (type: PersonObject, id: string) => `salesforce:${type}:${id}`;

/** The same key as the webhook intake's `intercomContactKey` (`src/server/webhooks.ts`). */
export const intercomContactKey = (contactId: string) => `intercom:contact:${contactId}`;

export const isPersonObject = (name: string): name is PersonObject =>
  name === 'Lead' || name === 'Contact';

export async function enqueueSalesforceRecord(
  jobs: JobSink,
  type: PersonObject,
  salesforceId: string,
): Promise<void> {
  const payload: SalesforceRecordPayload = { salesforceId, type };
  await jobs.add(salesforceRecordTask, payload, {
    jobKey: salesforceRecordKey(type, salesforceId),
    lane: 'live',
  });
}

export async function enqueueIntercomContact(
  jobs: JobSink,
  recordKey: string,
  inboxId: number,
): Promise<void> {
  const payload: IntercomContactPayload = { recordKey, inboxId };
  await jobs.add(intercomContactTask, payload, { jobKey: recordKey, lane: 'live' });
}
