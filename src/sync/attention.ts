// Acting on the needs-attention list: replay failures once their cause is fixed, or close them
// with a note. Both say in the ledger who did it, so a record's timeline shows it.
import type {
  EventsRepository,
  Failure,
  FailuresRepository,
  ReplaySelection,
} from '../store/index.ts';

export interface AttentionDeps {
  readonly failures: Pick<FailuresRepository, 'get' | 'replay' | 'resolve' | 'record'>;
  readonly events: Pick<EventsRepository, 'append'>;
  /**
   * Queues the record's sync job again with the failure's payload (on the interactive lane,
   * keyed by the record). Throws when the job cannot be queued.
   */
  requeue(failure: Failure): Promise<{ readonly task: string; readonly jobId: string }>;
}

export interface Replayed {
  readonly failure: Failure;
  readonly task: string;
  readonly jobId: string;
}

export type ReplayOutcome =
  | { readonly ok: false; readonly unknown: readonly number[] }
  | {
      readonly ok: true;
      readonly replayed: readonly Replayed[];
      /** Selected failures that had already left the list (replayed or resolved before). */
      readonly notOpen: readonly Failure[];
      /** Taken off the list but not queued; each is back on the list (`restored`), with why. */
      readonly notQueued: readonly {
        readonly failure: Failure;
        readonly restored: Failure;
        readonly error: string;
      }[];
    };

/**
 * Takes the selected open failures off the list and queues their records again. The store
 * takes them in one statement, so two replays at once never queue the same failure twice, and
 * replaying an id again does nothing. Ids that name no failure refuse the whole call.
 */
export async function replayFailures(
  deps: AttentionDeps,
  selection: ReplaySelection,
  by: string,
): Promise<ReplayOutcome> {
  let selected: Failure[] = [];
  if ('ids' in selection) {
    const ids = [...new Set(selection.ids)];
    const found = await Promise.all(ids.map((id) => deps.failures.get(id)));
    const unknown = ids.filter((_, index) => found[index] === undefined);
    if (unknown.length > 0) return { ok: false, unknown };
    selected = found.filter((f): f is Failure => f !== undefined);
    selection = { ids };
  }
  const taken = await deps.failures.replay(selection);
  const takenIds = new Set(taken.map((f) => f.id));
  const notOpen = selected.filter((f) => !takenIds.has(f.id));

  const replayed: Replayed[] = [];
  const notQueued: { failure: Failure; restored: Failure; error: string }[] = [];
  for (const failure of taken) {
    try {
      const { task, jobId } = await deps.requeue(failure);
      replayed.push({ failure, task, jobId });
      await deps.events.append({
        kind: 'failure.replayed',
        subject: failure.recordKey,
        data: { failure: failure.id, category: failure.category, task, job: jobId, by },
      });
    } catch (error) {
      // Taken but not queued: put it back, or the record would silently leave the list.
      const restored = await deps.failures.record({
        recordKey: failure.recordKey,
        system: failure.system,
        operation: failure.operation,
        category: failure.category,
        errorCode: failure.errorCode,
        message: failure.message,
        fields: failure.fields,
        attempts: failure.attempts,
        payload: failure.payload,
      });
      notQueued.push({ failure, restored, error: (error as Error).message ?? String(error) });
    }
  }
  return { ok: true, replayed, notOpen, notQueued };
}

export type ResolveOutcome =
  | { readonly ok: true; readonly failure: Failure }
  | { readonly ok: false; readonly reason: 'not_found' }
  | { readonly ok: false; readonly reason: 'not_open'; readonly failure: Failure };

/** Closes an open failure without replaying it (`dismissed`); the note goes to the ledger. */
export async function resolveFailure(
  deps: Pick<AttentionDeps, 'failures' | 'events'>,
  id: number,
  note: string,
  by: string,
): Promise<ResolveOutcome> {
  const before = await deps.failures.get(id);
  if (!before) return { ok: false, reason: 'not_found' };
  const closed = await deps.failures.resolve([id], 'dismissed');
  if (closed === 0) {
    const current = (await deps.failures.get(id)) ?? before;
    return { ok: false, reason: 'not_open', failure: current };
  }
  await deps.events.append({
    kind: 'failure.resolved',
    subject: before.recordKey,
    data: { failure: id, category: before.category, note, by },
  });
  return { ok: true, failure: (await deps.failures.get(id)) ?? before };
}
