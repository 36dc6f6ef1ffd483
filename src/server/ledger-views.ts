// The API shapes of the ledger, the needs-attention list and a record's timeline, shared by the
// admin API and the `--json` output of `tandem log`, `tandem failures` and `tandem retry`.
import type { Failure, LedgerEvent, Link } from '../store/index.ts';
import type { Replayed, ReplayOutcome } from '../sync/attention.ts';
import type { Timeline } from '../sync/timeline.ts';

export const eventView = (event: LedgerEvent) => ({
  id: event.id,
  at: event.at.toISOString(),
  kind: event.kind,
  subject: event.subject,
  data: event.data,
});

export const failureView = (failure: Failure) => ({
  id: failure.id,
  recordKey: failure.recordKey,
  system: failure.system,
  operation: failure.operation,
  category: failure.category,
  errorCode: failure.errorCode,
  message: failure.message,
  fields: failure.fields,
  attempts: failure.attempts,
  firstSeenAt: failure.firstSeenAt.toISOString(),
  lastSeenAt: failure.lastSeenAt.toISOString(),
  resolvedAt: failure.resolvedAt?.toISOString() ?? null,
  resolution: failure.resolution,
  payload: failure.payload,
});

export const linkView = (link: Link) => ({
  id: link.id,
  intercomId: link.intercomId,
  salesforceId: link.salesforceId,
  salesforceType: link.salesforceType,
  createdAt: link.createdAt.toISOString(),
  updatedAt: link.updatedAt.toISOString(),
});

export const timelineView = (timeline: Timeline, openFailures: readonly Failure[]) => ({
  record: timeline.record,
  link: timeline.link && linkView(timeline.link),
  subjects: timeline.subjects,
  data: timeline.events.map(eventView),
  next: timeline.next ?? null,
  openFailures: openFailures.map(failureView),
});

const replayedView = (r: Replayed) => ({
  id: r.failure.id,
  recordKey: r.failure.recordKey,
  category: r.failure.category,
  task: r.task,
  jobId: r.jobId,
});

export const replayView = (outcome: Extract<ReplayOutcome, { ok: true }>) => ({
  replayed: outcome.replayed.map(replayedView),
  notOpen: outcome.notOpen.map((f) => ({ id: f.id, resolution: f.resolution })),
  notQueued: outcome.notQueued.map((n) => ({
    id: n.failure.id,
    recordKey: n.failure.recordKey,
    error: n.error,
    backOnTheListAs: n.restored.id,
  })),
});
