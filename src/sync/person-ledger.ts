// The ledger events of people sync (docs/sync.md lists them): one per decision, with the ids of
// both sides so a record's timeline can be read from either.
import type {
  AttributeMapping,
  ConflictRecord,
  FieldChange,
  LeadCreation,
  LinkDecision,
  Skip,
} from '../core/index.ts';
import type { EventsRepository } from '../store/index.ts';

export const personEventKinds = [
  'link.created',
  'link.moved',
  'link.dropped',
  'lead.created',
  'record.updated',
  'sync.skipped',
  'sync.conflict',
  'sync.failed',
  'attribute.created',
  'duplicate.candidate',
] as const;
export type PersonEventKind = (typeof personEventKinds)[number];

const mappingOf = (mapping: AttributeMapping | null) =>
  mapping && {
    intercom: mapping.intercom,
    salesforce: mapping.salesforce,
    direction: mapping.direction,
  };

export interface PersonLedger {
  record(kind: PersonEventKind, data: Record<string, unknown>): Promise<void>;
  skipped(skip: Skip, ids: Ids): Promise<void>;
  conflict(conflict: ConflictRecord, ids: Ids): Promise<void>;
  updated(
    system: 'salesforce' | 'intercom',
    changes: readonly FieldChange[],
    ids: Ids & { readonly object: string },
  ): Promise<void>;
  leadCreated(lead: LeadCreation, ids: Ids & { readonly created: boolean }): Promise<void>;
  linkDecision(decision: LinkDecision): Promise<void>;
}

export interface Ids {
  readonly intercomId?: string | null;
  readonly salesforceId?: string | null;
}

/** The ledger of one run; `subject` is the record key of the record the job is about. */
export function personLedger(
  events: EventsRepository,
  subject: string,
  job: string,
  trigger: 'intercom' | 'salesforce',
): PersonLedger {
  const record = async (kind: PersonEventKind, data: Record<string, unknown>) => {
    await events.append({ kind, subject, data: { ...data, trigger, job } });
  };
  return {
    record,
    skipped: (skip, ids) =>
      record('sync.skipped', {
        ...ids,
        reason: skip.reason,
        detail: skip.detail,
        mapping: mappingOf(skip.mapping),
      }),
    conflict: (conflict, ids) =>
      record('sync.conflict', {
        ...ids,
        mapping: mappingOf(conflict.mapping),
        intercomValue: conflict.intercomValue,
        salesforceValue: conflict.salesforceValue,
        winner: conflict.winner,
        rule: conflict.rule,
      }),
    updated: (system, changes, ids) =>
      record('record.updated', {
        ...ids,
        system,
        fields: changes.map((change) => ({
          field: change.field,
          before: change.old,
          after: change.new,
          ...(change.fallback ? { fallback: change.fallback } : {}),
        })),
      }),
    leadCreated: (lead, ids) =>
      record('lead.created', { ...ids, fields: lead.fields, fallbacks: lead.fallbacks }),
    async linkDecision(decision) {
      if (decision.action === 'keep') return;
      if (decision.action === 'move')
        await record('link.moved', {
          intercomId: decision.to.intercomId,
          salesforceId: decision.to.salesforceId,
          reason: decision.reason,
          from: decision.from,
          to: decision.to,
        });
      else
        await record('link.dropped', {
          intercomId: decision.link.intercomId,
          salesforceId: decision.link.salesforceId,
          reason: decision.reason,
          deleteOnOtherSide: decision.deleteOnOtherSide,
        });
    },
  };
}
