// The `backfill.run` job: one backfill from start to end, resumable at every step. Its position
// (stored with the backfill) says which phase it is in and how far each pass got; a chunk's
// results are stored in one transaction with the position that follows it, so a backfill that
// dies resumes at the first chunk not stored: nothing done twice, nothing skipped. A Bulk API job
// is remembered before its data is uploaded, so the chunk tried again reads that job's results
// instead of writing again; with sObject Collections, the chunk tried again looks its contacts'
// Leads up in Salesforce itself before creating any.
import { directions, personObjects, type Direction, type PersonObject } from '../core/index.ts';
import {
  err,
  type ConnectorError,
  type IntercomConnector,
  type SalesforceConnector,
} from '../connectors/index.ts';
import type { JobPayload, TaskHandler } from '../queue/index.ts';
import { NonRetriableError, RetryAfterError } from '../queue/index.ts';
import type { Backfill, StagedRecord, Store } from '../store/index.ts';
import { toIntercomDataAttribute } from '../sync/mappers.ts';
import { ensureIntercomAttributes } from '../sync/person-attributes.ts';
import { must, reconnectWaitMs, SyncCallError, actionFor } from '../sync/person-errors.ts';
import { personLedger } from '../sync/person-ledger.ts';
import { describeOf, type OpenedConnections } from '../sync/person-sync.ts';
import { createSalesforceBatcher } from '../sync/salesforce-batcher.ts';
import { readSyncSettings } from '../sync/settings-service.ts';
import {
  canBulkIngest,
  createBulkWriter,
  type KnownJob,
  type RecordWriter,
} from './bulk-writer.ts';
import {
  ChunkRetry,
  intercomChunk,
  salesforceChunk,
  type ChunkOutcome,
  type Pass,
} from './chunk.ts';
import type { BackfillProgress, BackfillSummary } from './report-types.ts';
import { stageIntercom, stageSalesforce, type StagingContext } from './staging.ts';

export const backfillTask = 'backfill.run';

export interface BackfillJob {
  readonly [key: string]: unknown;
  readonly backfillId: number;
}

/** Where a backfill got to, stored with it. */
export interface Position {
  readonly salesforceStaged: boolean;
  readonly intercomStaged: boolean;
  /** Chosen once both sides are staged: Bulk API 2.0 at or above the threshold. */
  readonly mode: 'bulk' | 'collections' | null;
  readonly staged: { readonly intercom: number; readonly salesforce: number };
  readonly from_intercom: number;
  readonly from_salesforce: number;
  /** The chunk being written when the backfill last stopped, and its Bulk API jobs. */
  readonly pending: {
    readonly pass: Pass;
    readonly after: number;
    readonly jobs: readonly KnownJob[];
  } | null;
  /** Salesforce's API usage when the backfill started (for the calls it made). */
  readonly usageAtStart: number | null;
  readonly intercomCalls: number;
}

export const startPosition: Position = {
  salesforceStaged: false,
  intercomStaged: false,
  mode: null,
  staged: { intercom: 0, salesforce: 0 },
  from_intercom: 0,
  from_salesforce: 0,
  pending: null,
  usageAtStart: null,
  intercomCalls: 0,
};

export interface BackfillRunnerDeps {
  readonly store: Store;
  readonly jobs: {
    add(
      task: string,
      payload: JobPayload,
      options?: { jobKey?: string; lane?: 'interactive' | 'live' | 'bulk' },
    ): Promise<unknown>;
  };
  openConnections(): Promise<OpenedConnections>;
  readonly bulkThreshold: number;
  readonly chunkSize: number;
  /** Resolves when bulk work may call Salesforce (the API budget); may wait. */
  admitBulk?(signal: AbortSignal): Promise<void>;
  /** Sends the summary where the settings say (webhook, e-mail); never throws. */
  notify?(summary: BackfillSummary): Promise<unknown>;
  /**
   * Intercom updates in flight at once per backfill. Default 32: the connector's pacer keeps
   * them under Intercom's rate limit; at 10,000 calls a minute and 50–150 ms a call, 16 in
   * flight could not always keep up with the pacer (Little's law: 158 calls/s × 0.15 s = 24).
   */
  readonly intercomConcurrency?: number;
  readonly now?: () => number;
}

export const passesOf = (direction: Direction): Pass[] =>
  direction === 'to_salesforce'
    ? ['from_intercom']
    : direction === 'to_intercom'
      ? ['from_salesforce']
      : ['from_intercom', 'from_salesforce'];

export function isDirection(value: string): value is Direction {
  return (directions as readonly string[]).includes(value);
}

/** The stored backfill as progress (the CLI's bar, GET /api/backfills). */
export function progressOf(backfill: Backfill): BackfillProgress {
  return {
    id: backfill.id,
    status: backfill.status,
    phase: backfill.phase,
    direction: backfill.direction as Direction,
    objects: backfill.objects as PersonObject[],
    total: backfill.total,
    done: backfill.done,
    errors: backfill.errors,
    startedAt: backfill.startedAt,
    updatedAt: backfill.updatedAt,
    finishedAt: backfill.finishedAt,
  };
}

const countKeys = [
  'matched',
  'alreadyLinked',
  'leadsCreated',
  'salesforceUpdated',
  'intercomUpdated',
  'unchanged',
  'conflicts',
  'duplicateCandidates',
  'failed',
  'handedToLiveSync',
] as const;

export function summaryOf(
  backfill: Backfill,
  status: BackfillSummary['status'],
  finishedAt: number,
  salesforceCalls: number,
  error?: string,
): BackfillSummary {
  const position = { ...startPosition, ...(backfill.position as Partial<Position>) };
  const counts = Object.fromEntries(countKeys.map((key) => [key, backfill.counts[key] ?? 0]));
  const skipped = Object.fromEntries(
    Object.entries(backfill.counts)
      .filter(([key]) => key.startsWith('skipped:'))
      .map(([key, value]) => [key.slice('skipped:'.length), value]),
  );
  return {
    id: backfill.id,
    status,
    direction: backfill.direction as Direction,
    objects: backfill.objects as PersonObject[],
    startedAt: backfill.startedAt,
    finishedAt,
    read: position.staged,
    counts: counts as unknown as BackfillSummary['counts'],
    skipped,
    apiCalls: { salesforce: salesforceCalls, intercom: position.intercomCalls },
    ...(error !== undefined ? { error } : {}),
  };
}

/** Runs at most `limit` of the connector's `updateContact` calls at once; counts every call. */
function pacedIntercom(
  intercom: IntercomConnector,
  limit: number,
): { connector: IntercomConnector; calls: () => number } {
  let active = 0;
  let calls = 0;
  const queue: (() => void)[] = [];
  const acquire = () =>
    new Promise<void>((resolve) => {
      if (active < limit) {
        active += 1;
        resolve();
      } else queue.push(resolve);
    });
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active -= 1;
  };
  const connector = new Proxy(intercom, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (property !== 'updateContact')
        return (...args: unknown[]) => {
          calls += 1;
          return fn.apply(target, args);
        };
      return async (...args: unknown[]) => {
        await acquire();
        calls += 1;
        try {
          return await fn.apply(target, args);
        } finally {
          release();
        }
      };
    },
  });
  return { connector, calls: () => calls };
}

export function createBackfillRunner(deps: BackfillRunnerDeps): {
  readonly task: TaskHandler<BackfillJob>;
} {
  const { store } = deps;
  const now = deps.now ?? Date.now;

  async function fail(backfill: Backfill, message: string, salesforceCalls: number): Promise<void> {
    const at = now();
    const summary = summaryOf(backfill, 'failed', at, salesforceCalls, message);
    await store.backfills.update(backfill.id, {
      status: 'failed',
      phase: 'done',
      summary,
      finishedAt: at,
    });
    await store.events.append({
      kind: 'backfill.failed',
      subject: `backfill:${backfill.id}`,
      data: { ...summary },
    });
    await store.backfills.clearStaged(backfill.id);
    await deps.notify?.(summary);
  }

  const task: TaskHandler<BackfillJob> = async (payload, job) => {
    const id = Number(payload.backfillId);
    let backfill = await store.backfills.get(id);
    if (!backfill || backfill.status !== 'running') return;
    const direction = backfill.direction as Direction;
    const objects = backfill.objects.filter((o): o is PersonObject =>
      (personObjects as readonly string[]).includes(o),
    );
    const current = await readSyncSettings(store.settings);
    if (!current.ok) {
      await fail(
        backfill,
        `the sync settings are not valid: ${current.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
        0,
      );
      return;
    }
    const settings = current.settings;
    const connections = await deps.openConnections();
    if (!connections.ok) {
      if (connections.reason === 'needs_reconnect')
        throw new RetryAfterError(connections.detail, reconnectWaitMs);
      await fail(backfill, `${connections.detail}: connect both systems first`, 0);
      return;
    }
    const { salesforce } = connections;
    const paced = pacedIntercom(connections.intercom, deps.intercomConcurrency ?? 32);
    const intercom = paced.connector;
    let position: Position = { ...startPosition, ...(backfill.position as Partial<Position>) };
    const callsBefore = position.intercomCalls;
    const salesforceCalls = () => {
      const used = salesforce.usage()?.used;
      return used === undefined || position.usageAtStart === null
        ? 0
        : Math.max(0, used - position.usageAtStart);
    };
    const save = async (patch: Parameters<Store['backfills']['update']>[1]) => {
      const saved = await store.backfills.update(id, {
        ...patch,
        position: { ...position, intercomCalls: callsBefore + paced.calls() },
      });
      if (saved) backfill = saved;
    };

    /**
     * Stages every Intercom contact beside the first pass, which reads them as they are staged.
     * It never stores the position (the pass does, with each chunk): a backfill stopped meanwhile
     * stages again when it resumes, and staging keeps each contact once.
     */
    const stageBeside = (staging: StagingContext, passes: readonly Pass[]): StagingFeed => {
      const abort = new AbortController();
      const stop = () => abort.abort(job.signal.reason);
      job.signal.addEventListener('abort', stop, { once: true });
      let waiters: (() => void)[] = [];
      const wake = () => {
        const woken = waiters;
        waiters = [];
        for (const resolve of woken) resolve();
      };
      const feed: StagingFeed = {
        done: false,
        staged: 0,
        failed: undefined,
        next: () =>
          feed.done ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
        stop: () => abort.abort(),
      };
      void stageIntercom({ ...staging, signal: abort.signal }, (staged) => {
        feed.staged = staged;
        wake();
        return Promise.resolve();
      })
        .then(async () => {
          const intercomCount = await store.backfills.countStaged(id, 'intercom');
          const salesforceCount = await store.backfills.countStaged(id, 'salesforce');
          position = {
            ...position,
            intercomStaged: true,
            staged: { intercom: intercomCount, salesforce: salesforceCount },
          };
          const total = intercomCount + (passes.length > 1 ? salesforceCount : 0);
          await store.backfills.update(id, { total });
        })
        .catch((error: unknown) => {
          feed.failed = { error };
        })
        .finally(() => {
          feed.done = true;
          job.signal.removeEventListener('abort', stop);
          wake();
        });
      return feed;
    };

    try {
      const describe = await describeOf(salesforce);
      if (position.usageAtStart === null)
        position = { ...position, usageAtStart: salesforce.usage()?.used ?? null };
      const ledger = personLedger(store.events, `backfill:${id}`, job.jobId, 'intercom');
      const attributes = must('read_attributes', await intercom.listDataAttributes('contact')).map(
        toIntercomDataAttribute,
      );
      const intercomAttributes = await ensureIntercomAttributes(
        settings,
        describe,
        attributes,
        intercom,
        ledger,
      );
      const staging = {
        backfillId: id,
        settings,
        describe,
        salesforce,
        intercom,
        backfills: store.backfills,
        bulkThreshold: deps.bulkThreshold,
        signal: job.signal,
      };

      if (!position.salesforceStaged) {
        await deps.admitBulk?.(job.signal);
        await store.backfills.clearStaged(id, 'salesforce');
        await save({ phase: 'staging_salesforce' });
        const { staged } = await stageSalesforce(staging, async (count) => {
          await save({
            phase: 'staging_salesforce',
            done: 0,
            total: null,
            errors: 0,
            counts: { read: count },
          });
        });
        position = {
          ...position,
          salesforceStaged: true,
          staged: { ...position.staged, salesforce: staged },
        };
        await save({ phase: 'staging_intercom' });
      }
      const passes = passesOf(direction);
      // With Bulk API jobs, the pass from Intercom starts on the contacts staged so far while the
      // rest are read: it matches them against the Salesforce side, which is staged in full.
      let feed: StagingFeed | undefined;
      if (!position.intercomStaged && passes[0] === 'from_intercom' && canBulkIngest(salesforce)) {
        if (position.mode === null) {
          const contacts = must('count_contacts', await intercom.countContacts());
          const estimate = contacts + (passes.length > 1 ? position.staged.salesforce : 0);
          if (estimate >= deps.bulkThreshold) {
            position = { ...position, mode: 'bulk' };
            // A backfill resumed here may have stored chunks already: keep what they counted.
            await save(
              position.from_intercom === 0
                ? { phase: passes[0], total: estimate, done: 0, errors: 0, counts: {} }
                : { phase: passes[0], total: estimate },
            );
          }
        }
        if (position.mode === 'bulk') feed = stageBeside(staging, passes);
      }
      if (!position.intercomStaged && feed === undefined) {
        await stageIntercom(staging, async () => {
          await save({ phase: 'staging_intercom' });
        });
        const intercomCount = await store.backfills.countStaged(id, 'intercom');
        const salesforceCount = await store.backfills.countStaged(id, 'salesforce');
        const total =
          (passes.includes('from_intercom') ? intercomCount : 0) +
          (passes.includes('from_salesforce') ? salesforceCount : 0);
        position = {
          ...position,
          intercomStaged: true,
          staged: { intercom: intercomCount, salesforce: salesforceCount },
          mode: total >= deps.bulkThreshold && canBulkIngest(salesforce) ? 'bulk' : 'collections',
        };
        await save({ phase: passes[0]!, total, done: 0, errors: 0, counts: {} });
      }

      // Records linked by chunks planned but not stored yet (see `linkedInFlight` in chunk.ts).
      const linkedInFlight = { salesforce: new Set<string>(), intercom: new Set<string>() };
      const mode = position.mode ?? 'collections';
      // With Bulk API jobs, the next chunk is read and planned while the current one's job runs
      // (its Salesforce writes wait until the current chunk is stored and the next one is
      // remembered as pending); with collections, chunk after chunk.
      const overlap = mode === 'bulk' && canBulkIngest(salesforce);
      /** The chunk after `after`: a full one, or what is left once staging has ended. */
      const read = async (pass: Pass, after: number): Promise<StagedRecord[]> => {
        for (;;) {
          const complete = feed === undefined || pass !== 'from_intercom' || feed.done;
          const stagedAt = feed?.staged ?? 0;
          const rows = await store.backfills.staged(
            id,
            pass === 'from_intercom' ? 'intercom' : 'salesforce',
            after,
            deps.chunkSize,
          );
          if (feed?.failed) throw feed.failed.error;
          if (complete || rows.length === deps.chunkSize) return rows;
          // Staged rows only ever come after those read: wait until enough for a full chunk
          // are new (or staging ends) instead of reading the same rows again.
          const until = stagedAt + deps.chunkSize - rows.length;
          while (!feed!.done && feed!.staged < until) await feed!.next();
        }
      };

      /** Marks the chunk after `after` as the one being written, before any of its writes. */
      const markPending = async (pass: Pass, after: number, known: readonly KnownJob[]) => {
        await deps.admitBulk?.(job.signal);
        position = { ...position, pending: { pass, after, jobs: known } };
        await save({ phase: pass });
      };

      /**
       * Whether the chunk after `after` is the one a stopped backfill was writing (the first one
       * after a resume), and that attempt's Bulk API jobs. A chunk planned ahead sees the current
       * chunk as pending, never itself.
       */
      const retryOf = (pass: Pass, after: number) => {
        const retried =
          position.pending !== null &&
          position.pending.pass === pass &&
          position.pending.after === after;
        return { retried, known: retried ? position.pending!.jobs : [] };
      };

      /** Starts planning a chunk; with `overlap`, its Salesforce writes wait for `open(true)`. */
      const startChunk = (
        pass: Pass,
        rows: StagedRecord[],
        after: number,
        { retried, known }: { retried: boolean; known: readonly KnownJob[] },
      ): RunningChunk => {
        let open: (go: boolean) => void = () => {};
        const gate = new Promise<boolean>((resolve) => (open = resolve));
        let decide: () => void = () => {};
        const decided = new Promise<void>((resolve) => (decide = resolve));
        const writers = chunkWriters(
          mode,
          overlap ? gated(salesforce, gate) : salesforce,
          rows.length,
          known,
          async (remembered) => {
            const pending = position.pending!;
            position = {
              ...position,
              pending: {
                ...pending,
                jobs: [...pending.jobs.filter((j) => j.key !== remembered.key), remembered],
              },
            };
            await save({});
          },
          job.signal,
        );
        const ctx = {
          backfillId: id,
          jobId: job.jobId,
          direction,
          objects,
          settings,
          describe,
          intercomAttributes,
          salesforce,
          intercom,
          links: store.links,
          backfills: store.backfills,
          stagedSince: backfill!.startedAt,
          writerFor: writers.forRecord,
          recheckSalesforce: retried && position.mode !== 'bulk',
          linkedInFlight,
          decided: decide,
        };
        const outcome = (async () => {
          try {
            return pass === 'from_intercom'
              ? await intercomChunk(ctx, rows)
              : await salesforceChunk(ctx, rows);
          } finally {
            decide();
            await writers.stop();
          }
        })();
        // A chunk abandoned because the one before it failed must not surface on its own.
        outcome.catch(() => {});
        return { pass, after, last: rows[rows.length - 1]!.seq, known, open, decided, outcome };
      };

      try {
        for (const pass of passes) {
          job.signal.throwIfAborted();
          let rows = await read(pass, position[pass]);
          if (rows.length === 0) continue;
          const first = retryOf(pass, position[pass]);
          if (!overlap) await markPending(pass, position[pass], first.known);
          let chunk = startChunk(pass, rows, position[pass], first);
          for (;;) {
            job.signal.throwIfAborted();
            let next: RunningChunk | undefined;
            if (overlap) {
              await markPending(pass, chunk.after, chunk.known);
              chunk.open(true);
              // Every person of this chunk is matched: the next chunk may be planned beside it.
              await Promise.race([chunk.decided, chunk.outcome.then(() => {})]);
              rows = await read(pass, chunk.last);
              if (rows.length > 0)
                next = startChunk(pass, rows, chunk.last, retryOf(pass, chunk.last));
            }
            try {
              const outcome = await chunk.outcome;
              position = { ...position, [pass]: chunk.last, pending: null };
              await commit(backfill!, outcome, position, callsBefore + paced.calls());
              for (const link of outcome.newLinks) {
                linkedInFlight.salesforce.delete(link.salesforceId);
                linkedInFlight.intercom.delete(link.intercomId);
              }
              for (const handoff of outcome.handoffs)
                await deps.jobs.add(handoff.task, handoff.payload, {
                  jobKey: handoff.jobKey,
                  lane: 'live',
                });
            } catch (error) {
              // The chunk planned ahead never writes: the next attempt plans it again.
              next?.open(false);
              throw error;
            }
            if (!overlap) {
              job.signal.throwIfAborted();
              rows = await read(pass, chunk.last);
              if (rows.length > 0) {
                const retry = retryOf(pass, chunk.last);
                await markPending(pass, chunk.last, retry.known);
                next = startChunk(pass, rows, chunk.last, retry);
              }
            }
            if (next === undefined) break;
            chunk = next;
          }
        }
      } finally {
        feed?.stop();
      }

      // Finished: the summary goes to the ledger, the settings' channels and the caller.
      const at = now();
      const done = (await store.backfills.get(id))!;
      const summary = summaryOf(done, 'completed', at, salesforceCalls());
      await store.backfills.update(id, {
        status: 'completed',
        phase: 'done',
        summary,
        finishedAt: at,
      });
      await store.events.append({
        kind: 'backfill.completed',
        subject: `backfill:${id}`,
        data: { ...summary },
      });
      await store.backfills.clearStaged(id);
      await deps.notify?.(summary);
    } catch (error) {
      if (error instanceof ChunkRetry) throw error.control;
      if (error instanceof SyncCallError) {
        const action = actionFor(error);
        if (action.kind === 'park') {
          await fail(backfill, `${error.operation}: ${error.error.message}`, salesforceCalls());
          throw new NonRetriableError(error.message, { cause: error });
        }
        throw action.control;
      }
      throw error;
    }
  };

  async function commit(
    backfill: Backfill,
    outcome: ChunkOutcome,
    position: Position,
    intercomCalls: number,
  ): Promise<void> {
    await store.transaction(async (tx) => {
      const counts: Record<string, number> = { ...backfill.counts };
      for (const [key, value] of outcome.counts) counts[key] = (counts[key] ?? 0) + value;
      const { refused } = await tx.links.createMany(outcome.newLinks);
      // Live sync linked one of a pair meanwhile: its link stays, and the ledger says so.
      if (refused.length > 0)
        counts['linkedMeanwhile'] = (counts['linkedMeanwhile'] ?? 0) + refused.length;
      for (const write of outcome.stateWrites.values()) {
        const stored = await tx.links.updateState(write.id, write.version, write.state);
        // Live sync changed the pair while the chunk planned it: live sync plans it again.
        if (!stored.ok) {
          outcome.handoffs.push(write.replay);
          counts['handedToLiveSync'] = (counts['handedToLiveSync'] ?? 0) + 1;
        }
      }
      await tx.events.appendMany([
        ...outcome.events,
        ...refused.map((link) => ({
          kind: 'duplicate.candidate',
          subject: `intercom:contact:${link.intercomId}`,
          data: {
            intercomId: link.intercomId,
            salesforceId: link.salesforceId,
            reason: 'linked_meanwhile',
            backfill: backfill.id,
          },
        })),
      ]);
      for (const failure of outcome.failures) await tx.failures.record(failure);
      await tx.backfills.update(backfill.id, {
        done: backfill.done + outcome.processed,
        errors: backfill.errors + outcome.failed,
        counts,
        position: { ...position, intercomCalls },
      });
    });
    const saved = await store.backfills.get(backfill.id);
    if (saved) Object.assign(backfill, saved);
  }

  return { task };
}

/** Intercom staging running beside the first pass. */
interface StagingFeed {
  /** Every contact is staged (or staging failed). */
  done: boolean;
  /** Contacts this staging added so far (new rows, each after every row staged before it). */
  staged: number;
  failed: { readonly error: unknown } | undefined;
  /** Resolves when another page is staged, or staging ends. */
  next(): Promise<void>;
  stop(): void;
}

/** A chunk being planned or written. */
interface RunningChunk {
  readonly pass: Pass;
  /** The position the chunk starts after, and its last record's. */
  readonly after: number;
  readonly last: number;
  /** Bulk API jobs of an earlier attempt at this chunk. */
  readonly known: readonly KnownJob[];
  /** Lets the chunk's Salesforce writes go (true), or fails them (false: abandoned). */
  open(go: boolean): void;
  /** Every person of the chunk is matched. */
  readonly decided: Promise<void>;
  readonly outcome: Promise<ChunkOutcome>;
}

/**
 * The connector as a chunk planned ahead sees it: its Bulk API jobs start (or reattach) only
 * once `gate` says so, after the chunk before it is stored and it is remembered as pending.
 */
function gated(salesforce: SalesforceConnector, gate: Promise<boolean>): SalesforceConnector {
  const refused = err<ConnectorError>({
    system: 'salesforce',
    code: 'upstream',
    message: 'the backfill stopped before this chunk was written',
  });
  return new Proxy(salesforce, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (
        typeof value !== 'function' ||
        (property !== 'bulkIngestCreate' && property !== 'bulkIngestState')
      )
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => ((await gate) ? fn.apply(target, args) : refused);
    },
  });
}

/** The per-record writers of a chunk: one Bulk API job per kind of write, or collections. */
function chunkWriters(
  mode: 'bulk' | 'collections',
  salesforce: SalesforceConnector,
  records: number,
  known: readonly KnownJob[],
  remember: (job: KnownJob) => Promise<void>,
  signal: AbortSignal,
): { forRecord: () => RecordWriter; stop: () => Promise<void> } {
  if (mode === 'bulk' && canBulkIngest(salesforce)) {
    const writer = createBulkWriter({ connector: salesforce, records, known, remember, signal });
    return { forRecord: writer.forRecord, stop: writer.settled };
  }
  const batcher = createSalesforceBatcher({ windowMs: 20 });
  const writer = batcher.writer(salesforce);
  return {
    forRecord: () => ({ ...writer, finish: () => {} }),
    stop: () => batcher.stop(),
  };
}
