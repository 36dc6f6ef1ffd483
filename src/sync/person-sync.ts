// The people-sync job handlers (issue 5): `sync.intercom.contact` and `sync.salesforce.record`.
// Each run reads the settings and both connections, runs one flow (person-flows.ts), marks the
// record's stored events processed, and turns a failed call into the job's next step.
import {
  personObjects,
  type IntercomDataAttribute,
  type PersonObject,
  type SalesforceDescribe,
} from '../core/index.ts';
import type { IntercomConnector, SalesforceConnector } from '../connectors/index.ts';
import type { JobContext, JobPayload, TaskHandler } from '../queue/index.ts';
import type {
  CheckpointsRepository,
  EventsRepository,
  FailuresRepository,
  InboxRepository,
  LinksRepository,
  SettingsRepository,
} from '../store/index.ts';
import {
  toIntercomDataAttribute,
  toSalesforceObjectDescribe,
  type RawDescribe,
} from './mappers.ts';
import {
  actionFor,
  categoryOf,
  errorCodeOf,
  fieldsOf,
  must,
  reconnectWaitMs,
  SyncCallError,
} from './person-errors.ts';
import { ensureIntercomAttributes } from './person-attributes.ts';
import { followMatchingSettings } from './person-matching.ts';
import { syncFromIntercom, syncFromSalesforce, type RunContext } from './person-flows.ts';
import { personLedger, type PersonLedger } from './person-ledger.ts';
import { contactIdOfKey, intercomRecordKey, salesforceRecordKey } from './person-records.ts';
import { unbatched, type SalesforceBatcher } from './salesforce-batcher.ts';
import { readSyncSettings } from './settings-service.ts';
import { RetryAfterError } from '../queue/index.ts';
import type { BudgetTracker } from './budget.ts';

export const intercomContactTask = 'sync.intercom.contact';
export const salesforceRecordTask = 'sync.salesforce.record';

/** `sync.intercom.contact`: the webhook intake's payload, or a contact id. */
export interface IntercomContactJob {
  readonly [key: string]: unknown;
  /** `intercom:contact:ID` (or the bare id). */
  readonly recordKey?: string;
  readonly contactId?: string;
  /** The newest inbox event of the record when the job was queued: events up to it are done. */
  readonly inboxId?: number;
}

/** `sync.salesforce.record`: a Lead or Contact that changed. */
export interface SalesforceRecordJob {
  readonly [key: string]: unknown;
  readonly salesforceId: string;
  readonly type: PersonObject;
  /** The newest inbox event of the record, when change capture stored one. */
  readonly inboxId?: number;
}

export type OpenedConnections =
  | {
      readonly ok: true;
      readonly salesforce: SalesforceConnector;
      readonly intercom: IntercomConnector;
    }
  | {
      readonly ok: false;
      /** `not_connected`: the run is skipped; `needs_reconnect`: the change waits. */
      readonly reason: 'not_connected' | 'needs_reconnect';
      readonly detail: string;
    };

export interface PersonSyncDeps {
  readonly store: {
    readonly settings: SettingsRepository;
    readonly checkpoints: CheckpointsRepository;
    readonly links: LinksRepository;
    readonly inbox: InboxRepository;
    readonly failures: FailuresRepository;
    readonly events: EventsRepository;
  };
  /** Both connectors, opened from the stored connections (see person-connections.ts). */
  openConnections(): Promise<OpenedConnections>;
  /** Marks a connection "needs reconnect" (connections.ts `markNeedsReconnect`). */
  markNeedsReconnect(system: 'salesforce' | 'intercom', reason: string): Promise<void>;
  readonly now?: () => number;
  /**
   * Gathers the Salesforce writes of runs going on at the same time into sObject Collections
   * calls (createSalesforceBatcher; the owner stops it). Default: one call per write.
   */
  readonly salesforceBatcher?: SalesforceBatcher;
  /** How long Intercom's data attributes are reused before being read again. Default 60 s. */
  readonly attributesTtlMs?: number;
  /**
   * The API budget governor (budget.ts): fed the connector's usage readings, it postpones a job
   * whose lane is paused before it calls Salesforce. Default: no budget.
   */
  readonly budget?: BudgetTracker;
}

export interface PersonSync {
  readonly tasks: {
    readonly [intercomContactTask]: TaskHandler<IntercomContactJob>;
    readonly [salesforceRecordTask]: TaskHandler<SalesforceRecordJob>;
  };
}

interface Run {
  readonly recordKey: string;
  readonly trigger: 'intercom' | 'salesforce';
  readonly payload: JobPayload;
  readonly ids: { readonly intercomId?: string; readonly salesforceId?: string };
  readonly flow: (ctx: RunContext) => Promise<void>;
  readonly markProcessed: () => Promise<number>;
}

/** Lead and Contact describes, as people sync reads them (the connector caches each). */
export async function describeOf(salesforce: SalesforceConnector): Promise<SalesforceDescribe> {
  const [lead, contact] = await Promise.all(
    personObjects.map(async (object) =>
      toSalesforceObjectDescribe(
        object,
        must('describe', await salesforce.describe(object)) as unknown as RawDescribe,
      ),
    ),
  );
  return { Lead: lead!, Contact: contact! };
}

export function createPersonSync(deps: PersonSyncDeps): PersonSync {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const ttl = deps.attributesTtlMs ?? 60_000;
  const batcher = deps.salesforceBatcher ?? unbatched;
  let attributesCache:
    { connector: IntercomConnector; at: number; value: IntercomDataAttribute[] } | undefined;

  async function attributesOf(intercom: IntercomConnector): Promise<IntercomDataAttribute[]> {
    const cached = attributesCache;
    if (cached && cached.connector === intercom && now() - cached.at < ttl) return cached.value;
    const raw = must('read_attributes', await intercom.listDataAttributes('contact'));
    const value = raw.map(toIntercomDataAttribute);
    attributesCache = { connector: intercom, at: now(), value };
    return value;
  }

  async function run(spec: Run, job: JobContext): Promise<void> {
    const ledger = personLedger(store.events, spec.recordKey, job.jobId, spec.trigger);
    const current = await readSyncSettings(store.settings);
    if (!current.ok) {
      await ledger.record('sync.skipped', {
        ...spec.ids,
        reason: 'settings_invalid',
        detail: current.problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      });
      return;
    }
    await followMatchingSettings(store, current.settings.matching);
    const connections = await deps.openConnections();
    if (!connections.ok) {
      await ledger.record('sync.skipped', {
        ...spec.ids,
        reason: connections.reason,
        detail: connections.detail,
      });
      // Needs reconnect: the change waits. Not connected: nothing to sync it to yet; the stored
      // events are done with (the sweeps catch up once both systems are connected).
      if (connections.reason === 'needs_reconnect')
        throw new RetryAfterError(connections.detail, reconnectWaitMs);
      await taken(spec, job);
      return;
    }
    const { salesforce, intercom } = connections;
    if (deps.budget) {
      deps.budget.observe(salesforce.usage());
      await deps.budget.admit(job.lane);
    }
    try {
      const describe = await describeOf(salesforce);
      const attributes = await attributesOf(intercom);
      const intercomAttributes = await ensureIntercomAttributes(
        current.settings,
        describe,
        attributes,
        intercom,
        ledger,
      );
      if (intercomAttributes.length !== attributes.length) attributesCache = undefined;
      const ctx: RunContext = {
        settings: current.settings,
        salesforce,
        salesforceWrites: batcher.writer(salesforce),
        intercom,
        describe,
        intercomAttributes,
        links: store.links,
        inbox: store.inbox,
        ledger,
      };
      await spec.flow(ctx);
    } catch (error) {
      if (!(error instanceof SyncCallError)) throw error;
      throw await failed(spec, job, ledger, error);
    } finally {
      deps.budget?.observe(salesforce.usage());
    }
    await taken(spec, job);
    await store.failures.resolveRecord(spec.recordKey, 'synced');
  }

  /** Marks the record's stored events processed and says so (`webhook.received`, `change.received`). */
  async function taken(spec: Run, job: JobContext): Promise<void> {
    const events = await spec.markProcessed();
    if (events === 0 && spec.payload['inboxId'] === undefined) return;
    await store.events.append({
      kind: spec.trigger === 'intercom' ? 'webhook.received' : 'change.received',
      subject: spec.recordKey,
      data: { inboxId: spec.payload['inboxId'] ?? null, events, job: job.jobId },
    });
  }

  /** Records a failed call and answers the control error the job throws. */
  async function failed(
    spec: Run,
    job: JobContext,
    ledger: PersonLedger,
    failure: SyncCallError,
  ): Promise<Error> {
    const { error, operation } = failure;
    const action = actionFor(failure);
    const lastAttempt = job.attempt >= job.maxAttempts;
    const parked = action.kind === 'park' || (action.kind === 'retry' && lastAttempt);
    await ledger.record('sync.failed', {
      ...spec.ids,
      system: error.system,
      operation,
      category: categoryOf(error),
      code: error.code,
      errorCode: errorCodeOf(error),
      fields: fieldsOf(error),
      message: error.message,
      next: parked ? 'needs_attention' : action.kind === 'reconnect' ? 'needs_reconnect' : 'retry',
    });
    if (action.kind === 'reconnect')
      await deps.markNeedsReconnect(error.system, `${error.code}: ${error.message}`);
    if (parked)
      await store.failures.record({
        recordKey: spec.recordKey,
        system: error.system,
        operation,
        category: categoryOf(error),
        errorCode: errorCodeOf(error),
        message: error.message,
        fields: fieldsOf(error),
        attempts: job.attempt,
        // Replay queues this payload again on the record's task (runtime/requeue.ts).
        payload: spec.payload,
      });
    return action.control;
  }

  return {
    tasks: {
      [intercomContactTask]: (payload, job) => {
        const raw = payload.contactId ?? payload.recordKey;
        if (typeof raw !== 'string' || raw === '')
          throw new TypeError(`${intercomContactTask} needs recordKey or contactId`);
        const contactId = contactIdOfKey(raw);
        const recordKey = intercomRecordKey(contactId);
        return run(
          {
            recordKey,
            trigger: 'intercom',
            payload,
            ids: { intercomId: contactId },
            flow: (ctx) => syncFromIntercom(ctx, contactId),
            markProcessed: () => markProcessed(store.inbox, recordKey, payload.inboxId),
          },
          job,
        );
      },
      [salesforceRecordTask]: (payload, job) => {
        const { salesforceId, type } = payload;
        if (typeof salesforceId !== 'string' || !personObjects.includes(type))
          throw new TypeError(
            `${salesforceRecordTask} needs salesforceId and type Lead or Contact`,
          );
        const recordKey = salesforceRecordKey(type, salesforceId);
        return run(
          {
            recordKey,
            trigger: 'salesforce',
            payload,
            ids: { salesforceId },
            flow: (ctx) => syncFromSalesforce(ctx, type, salesforceId),
            markProcessed: () => markProcessed(store.inbox, recordKey, payload.inboxId),
          },
          job,
        );
      },
    },
  };
}

/** Marks the record's stored events processed: up to the one that queued the job, or all. */
async function markProcessed(
  inbox: InboxRepository,
  recordKey: string,
  throughId: number | undefined,
): Promise<number> {
  if (typeof throughId === 'number') return inbox.markRecordProcessed(recordKey, throughId);
  const pending = await inbox.pending({ recordKey, limit: 1000 });
  return inbox.markProcessed(pending.map((event) => event.id));
}
