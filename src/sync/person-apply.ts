// Applying a plan: create the Lead (an upsert on the external-ID field when one is set, so a
// retried create cannot make a duplicate), update Salesforce, update Intercom, then store the
// link's next state with the version it was read at. Before the writes of a linked pair, the
// writes are noted in the link state (`pending`), so that a run killed between its writes and
// storing the next state is recovered by the next run (`recoverState`).
import { isDeepStrictEqual } from 'node:util';
import {
  readIntercomValue,
  type FieldChange,
  type IntercomContact,
  type LinkSyncState,
  type PersonPlan,
  type SalesforcePerson,
  type SyncSettings,
  type SyncValue,
} from '../core/index.ts';
import type { IntercomConnector, SalesforceConnector } from '../connectors/index.ts';
import type { Link, LinksRepository } from '../store/index.ts';
import { must } from './person-errors.ts';
import type { PersonLedger } from './person-ledger.ts';
import type { SalesforceWriter } from './salesforce-batcher.ts';
import { written } from './person-links.ts';
import { toContactInput } from './person-records.ts';

export interface ApplyContext {
  readonly settings: SyncSettings;
  readonly salesforce: SalesforceConnector;
  /** Salesforce writes, one record each: batched with other runs' (salesforce-batcher.ts). */
  readonly salesforceWrites: SalesforceWriter;
  readonly intercom: IntercomConnector;
  readonly links: LinksRepository;
  readonly ledger: PersonLedger;
}

export interface ApplyTarget {
  readonly contact: IntercomContact | null;
  readonly person: SalesforcePerson | null;
  readonly link: Link | null;
}

export interface Applied {
  readonly link: Link | null;
  readonly leadId: string | null;
}

export async function applyPlan(
  ctx: ApplyContext,
  plan: PersonPlan,
  target: ApplyTarget,
): Promise<Applied> {
  const { contact, person } = target;
  let { link } = target;
  const ids = { intercomId: contact?.id ?? null, salesforceId: person?.id ?? null };
  for (const conflict of plan.conflicts) await ctx.ledger.conflict(conflict, ids);
  for (const skip of plan.skips) await ctx.ledger.skipped(skip, ids);

  let leadId: string | null = null;
  if (plan.createLead && contact) {
    const { fields } = plan.createLead;
    const externalIdField = ctx.settings.externalIdField;
    let created = true;
    if (externalIdField !== null) {
      const upserted = must(
        'create_lead',
        await ctx.salesforceWrites.upsert('Lead', externalIdField, {
          ...fields,
          [externalIdField]: contact.id,
        }),
      );
      leadId = upserted.id;
      created = upserted.created;
    } else {
      leadId = must('create_lead', await ctx.salesforceWrites.create('Lead', fields)).id;
    }
    await ctx.ledger.leadCreated(plan.createLead, {
      intercomId: contact.id,
      salesforceId: leadId,
      created,
    });
    link = written(
      await ctx.links.create({
        intercomId: contact.id,
        salesforceId: leadId,
        salesforceType: 'Lead',
        state: plan.nextState,
      }),
      'link the new Lead',
    );
    await ctx.ledger.record('link.created', {
      intercomId: contact.id,
      salesforceId: leadId,
      salesforceType: 'Lead',
      reason: 'lead_created',
    });
    return { link, leadId };
  }

  if (
    link &&
    plan.nextState &&
    (plan.salesforceUpdates.length > 0 || plan.intercomUpdates.length > 0)
  ) {
    // The state this run planned from: an earlier run's noted writes already settled.
    const noted = noteWrites(recoverState(link.state, contact, person), plan, plan.nextState);
    link = written(await ctx.links.updateState(link.id, link.version, noted), 'note the writes');
  }
  if (person && plan.salesforceUpdates.length > 0) {
    const record: Record<string, unknown> = { Id: person.id };
    for (const change of plan.salesforceUpdates) record[change.field] = change.new;
    must('update_salesforce', await ctx.salesforceWrites.update(person.type, record));
    await ctx.ledger.updated('salesforce', plan.salesforceUpdates, { ...ids, object: person.type });
  }
  if (contact && plan.intercomUpdates.length > 0) {
    must(
      'update_contact',
      await ctx.intercom.updateContact(contact.id, toContactInput(plan.intercomUpdates)),
    );
    await ctx.ledger.updated('intercom', plan.intercomUpdates, { ...ids, object: 'contact' });
  }
  // A plan that writes nothing and ends where the link already is stores nothing: a version
  // raised for nothing would only send runs of the same pair going on meanwhile round again.
  const unchanged =
    plan.salesforceUpdates.length === 0 &&
    plan.intercomUpdates.length === 0 &&
    isDeepStrictEqual(link?.state ?? null, plan.nextState);
  if (link && plan.nextState && !unchanged) {
    link = written(
      await ctx.links.updateState(link.id, link.version, plan.nextState),
      'store the link state',
    );
  }
  return { link, leadId };
}

/** The writes a run is about to make, noted in the link state before its calls. */
interface PendingWrites {
  /** The state before the run. */
  readonly before: LinkSyncState | null;
  /** The state the run stores once its writes are done. */
  readonly nextState: LinkSyncState;
  /** Salesforce field → value written; Intercom attribute → value written. */
  readonly salesforce: Readonly<Record<string, unknown>>;
  readonly intercom: Readonly<Record<string, unknown>>;
  /**
   * For each write, the baseline entry (a Salesforce field) it settles. Absent from writes noted
   * by earlier versions of Tandem, which are recovered all or nothing.
   */
  readonly baselineKeys?: {
    readonly salesforce: Readonly<Record<string, string>>;
    readonly intercom: Readonly<Record<string, string>>;
  };
}

/**
 * The state a run stores before its writes: the state it planned from, with the writes it is
 * about to make and the state they lead to (read back by `recoverState`).
 */
export function noteWrites(
  before: LinkSyncState | null,
  plan: Pick<PersonPlan, 'salesforceUpdates' | 'intercomUpdates'>,
  nextState: LinkSyncState,
): LinkSyncState {
  const baselineKey = baselineKeyOf(nextState);
  const noted: NotedState = {
    ...(before ?? { baseline: {}, intercom: null, salesforce: null }),
    pending: {
      before,
      nextState,
      salesforce: Object.fromEntries(plan.salesforceUpdates.map((c) => [c.field, c.new])),
      intercom: Object.fromEntries(plan.intercomUpdates.map((c) => [c.field, c.new])),
      baselineKeys: {
        salesforce: Object.fromEntries(
          plan.salesforceUpdates.map((c) => [c.field, baselineKey(c)]),
        ),
        intercom: Object.fromEntries(plan.intercomUpdates.map((c) => [c.field, baselineKey(c)])),
      },
    },
  };
  return noted;
}

/** The baseline entry of a change: its Salesforce field, as the state spells it. */
function baselineKeyOf(state: LinkSyncState): (change: FieldChange) => string {
  const keys = new Map(Object.keys(state.baseline).map((key) => [key.toLowerCase(), key]));
  return (change) => {
    const field = change.mapping.salesforce;
    return keys.get(field.toLowerCase()) ?? field;
  };
}

type NotedState = LinkSyncState & { readonly pending?: PendingWrites };

const sameValue = (a: unknown, b: unknown): boolean =>
  (a ?? null) === (b ?? null) || (a != null && b != null && String(a) === String(b));

/**
 * The state to plan from. A run killed (or failed) after some of its writes but before storing
 * the link's next state left them noted. Each noted write that is there counts as done: its
 * field's baseline is the one that run would have stored, so the write is not taken for
 * someone's edit (which, for a field mapped both ways, would make a conflict the older value
 * could win). Each write that is not there keeps the baseline from before that run, so the next
 * plan makes it again. A side whose writes all landed takes the next state's hash (echoes of
 * them are recognized); otherwise it keeps the hash from before.
 */
export function recoverState(
  state: LinkSyncState | null,
  contact: IntercomContact | null,
  person: SalesforcePerson | null,
): LinkSyncState | null {
  const pending = (state as NotedState | null)?.pending;
  if (pending === undefined) return state;
  const missing = (system: 'salesforce' | 'intercom'): string[] =>
    Object.entries(pending[system])
      .filter(([field, value]) =>
        system === 'salesforce'
          ? person === null || !sameValue(person.fields[field], value)
          : contact === null || !sameValue(readIntercomValue(contact, field), value),
      )
      .map(([field]) => field);
  const missed = { salesforce: missing('salesforce'), intercom: missing('intercom') };
  const noted = Object.keys(pending.salesforce).length + Object.keys(pending.intercom).length;
  const missedCount = missed.salesforce.length + missed.intercom.length;
  if (missedCount === 0) return pending.nextState;
  const keys = pending.baselineKeys;
  if (keys === undefined || missedCount === noted) return pending.before;
  const { before, nextState } = pending;
  const baseline: Record<string, SyncValue> = { ...nextState.baseline };
  for (const system of ['salesforce', 'intercom'] as const) {
    for (const field of missed[system]) {
      const key = keys[system][field] ?? field;
      if (before !== null && Object.hasOwn(before.baseline, key))
        baseline[key] = before.baseline[key] ?? null;
      else delete baseline[key];
    }
  }
  return {
    baseline,
    salesforce:
      missed.salesforce.length === 0 ? nextState.salesforce : (before?.salesforce ?? null),
    intercom: missed.intercom.length === 0 ? nextState.intercom : (before?.intercom ?? null),
  };
}
