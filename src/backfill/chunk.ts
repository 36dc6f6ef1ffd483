// One chunk of a backfill pass: up to `chunkSize` staged records planned together and written
// together. Pass "from Intercom" goes through every Intercom contact (its link, or its match
// among the staged Leads and Contacts, or a new Lead); pass "from Salesforce" through every Lead
// and Contact (its link, or its match among the staged contacts). Each person is planned by the
// core's `planPersonSync` and applied by the sync's `applyPlan`, as live sync does; the
// difference is where the data comes from (the staged snapshot) and where the writes go (one
// Bulk API job or a few sObject Collections calls for the whole chunk). Nothing is stored here:
// the chunk answers what to store (links, events, failures, counts) and the run stores it in one
// transaction with the new position.
import {
  matchPerson,
  matchSalesforcePerson,
  planPersonSync,
  type Direction,
  type IntercomContact,
  type IntercomDataAttribute,
  type PersonObject,
  type PersonPlan,
  type SalesforceDescribe,
  type SalesforcePerson,
  type SyncSettings,
} from '../core/index.ts';
import type { IntercomConnector, SalesforceConnector } from '../connectors/index.ts';
import type {
  BackfillsRepository,
  EventsRepository,
  LedgerEvent,
  Link,
  LinksRepository,
  LinkWrite,
  NewFailure,
  NewLedgerEvent,
  NewLink,
  StagedRecord,
} from '../store/index.ts';
import { applyPlan, type ApplyContext } from '../sync/person-apply.ts';
import { createLink } from '../sync/person-flows.ts';
import {
  actionFor,
  categoryOf,
  errorCodeOf,
  fieldsOf,
  must,
  SyncCallError,
} from '../sync/person-errors.ts';
import { personLedger, type PersonLedger } from '../sync/person-ledger.ts';
import {
  intercomRecordKey,
  personFields,
  salesforceRecordKey,
  toSalesforcePerson,
} from '../sync/person-records.ts';
import type { SalesforceWriter } from '../sync/salesforce-batcher.ts';
import type { RecordWriter } from './bulk-writer.ts';
import { emailKey } from './staging.ts';

export type Pass = 'from_intercom' | 'from_salesforce';

export interface ChunkContext {
  readonly backfillId: number;
  readonly jobId: string;
  readonly direction: Direction;
  readonly objects: readonly PersonObject[];
  readonly settings: SyncSettings;
  readonly describe: SalesforceDescribe;
  readonly intercomAttributes: readonly IntercomDataAttribute[];
  readonly salesforce: SalesforceConnector;
  readonly intercom: IntercomConnector;
  readonly links: LinksRepository;
  readonly backfills: BackfillsRepository;
  /**
   * When the backfill started (ms): its staged records were read after it. A link whose state
   * changed since may hold what live sync wrote after those reads, so the pair goes to live
   * sync, which reads both records afresh.
   */
  readonly stagedSince: number;
  /** A writer per record: its one Salesforce write goes into the chunk's shared calls. */
  writerFor(): RecordWriter;
  /**
   * An earlier attempt at this chunk may have created Leads it never linked (it died between
   * the write and the commit): look them up in Salesforce itself before creating any.
   */
  readonly recheckSalesforce: boolean;
  /**
   * Records linked by chunks planned but not stored yet (the run plans the next chunk while the
   * current one writes): taken, as if their links were stored. The chunk adds its own.
   */
  readonly linkedInFlight?: { readonly salesforce: Set<string>; readonly intercom: Set<string> };
  /** Called once every person of the chunk has been matched (before any of them writes). */
  decided?(): void;
}

/** A person handed to live sync (a link whose record or state moved on since staging). */
export interface Handoff {
  readonly task: 'sync.intercom.contact' | 'sync.salesforce.record';
  readonly payload: Readonly<Record<string, unknown>>;
  readonly jobKey: string;
}

export interface LinkStateWrite {
  readonly id: number;
  /** The version the chunk read the link at: the write is refused if it changed since. */
  readonly version: number;
  readonly state: NonNullable<PersonPlan['nextState']>;
  /** Live sync's run for the pair, should the write be refused. */
  readonly replay: Handoff;
}

export interface ChunkOutcome {
  readonly events: NewLedgerEvent[];
  readonly newLinks: NewLink[];
  /** The state each linked pair ends in, by link id (the last the chunk wrote). */
  readonly stateWrites: Map<number, LinkStateWrite>;
  readonly failures: NewFailure[];
  readonly handoffs: Handoff[];
  readonly counts: Map<string, number>;
  processed: number;
  failed: number;
}

/** Thrown when the chunk must be tried again as a whole (a transient failure). */
export class ChunkRetry extends Error {
  override readonly name = 'ChunkRetry';
  readonly control: Error;
  constructor(control: Error) {
    super(control.message, { cause: control });
    this.control = control;
  }
}

function bump(counts: Map<string, number>, key: string, by = 1): void {
  if (by !== 0) counts.set(key, (counts.get(key) ?? 0) + by);
}

/** An events repository that keeps what is appended, for the chunk's transaction. */
function collectingEvents(into: NewLedgerEvent[]): EventsRepository {
  return {
    append: (event) => {
      into.push(event);
      return Promise.resolve({
        id: 0,
        at: new Date(0),
        kind: event.kind,
        subject: event.subject ?? null,
        data: event.data ?? {},
      } satisfies LedgerEvent);
    },
    appendMany: (events) => {
      into.push(...events);
      return Promise.resolve();
    },
    list: () => Promise.resolve([]),
  };
}

/**
 * The links as `applyPlan` sees them during a chunk: reads go to the store, a new link or a
 * new state is kept for the chunk's transaction (a new link gets a negative placeholder id).
 */
function chunkLinks(real: LinksRepository, outcome: ChunkOutcome): LinksRepository {
  const placeholder = (index: number, link: NewLink): Link => ({
    id: -(index + 1),
    intercomId: link.intercomId,
    salesforceId: link.salesforceId,
    salesforceType: link.salesforceType,
    state: link.state ?? null,
    version: 0,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    droppedAt: null,
    dropReason: null,
  });
  const refused = (): never => {
    throw new Error('a backfill does not move or drop links: live sync does');
  };
  return {
    ...real,
    create: (link): Promise<LinkWrite> => {
      outcome.newLinks.push({ ...link, state: link.state ?? null });
      return Promise.resolve({
        ok: true,
        link: placeholder(outcome.newLinks.length - 1, link),
      });
    },
    updateState: (id, version, state): Promise<LinkWrite> => {
      if (id < 0) {
        const index = -id - 1;
        const link = outcome.newLinks[index]!;
        outcome.newLinks[index] = { ...link, state };
        return Promise.resolve({ ok: true, link: placeholder(index, outcome.newLinks[index]) });
      }
      // A run notes its writes, then stores the state they lead to: only the last one is kept,
      // checked against the version the chunk read.
      return real.get(id).then((link): LinkWrite => {
        if (!link) return { ok: false, reason: 'not_found' };
        if (state !== null) {
          const first = outcome.stateWrites.get(id);
          outcome.stateWrites.set(id, {
            id,
            version: first?.version ?? version,
            state,
            replay: intercomReplay(link.intercomId),
          });
        }
        return { ok: true, link: { ...link, state, version: version + 1 } };
      });
    },
    move: refused,
    drop: refused,
    dropAll: refused,
  };
}

/** The core's plan for one person of a pass, as live sync would plan it from that side. */
function planIn(
  ctx: ChunkContext,
  pass: Pass,
  intercom: IntercomContact | null,
  salesforce: SalesforcePerson | null,
  link: Link | null,
): PersonPlan {
  const plan = planPersonSync({
    settings: ctx.settings,
    describe: ctx.describe,
    intercomAttributes: ctx.intercomAttributes,
    intercom,
    salesforce,
    state: link?.state ?? null,
    trigger: pass === 'from_intercom' ? 'intercom' : 'salesforce',
  });
  return directed(plan, ctx.direction, pass);
}

/** What `applyPlan` works with for one person of a chunk. */
const applyContext = (
  ctx: ChunkContext,
  writer: SalesforceWriter,
  links: LinksRepository,
  ledger: PersonLedger,
): ApplyContext => ({
  settings: ctx.settings,
  salesforce: ctx.salesforce,
  salesforceWrites: writer,
  intercom: ctx.intercom,
  links,
  ledger,
});

/** The plan, with what the chosen direction does not write taken out. */
function directed(plan: PersonPlan, direction: Direction, pass: Pass): PersonPlan {
  if (direction === 'to_salesforce') return { ...plan, intercomUpdates: [] };
  if (direction === 'to_intercom' || pass === 'from_salesforce')
    return direction === 'both' ? plan : { ...plan, createLead: null, salesforceUpdates: [] };
  return plan;
}

interface Person {
  readonly recordKey: string;
  readonly ids: { readonly intercomId?: string; readonly salesforceId?: string };
  readonly replay: Handoff;
  run(ledger: PersonLedger, writer: SalesforceWriter): Promise<void>;
}

/** Runs every person of the chunk, all at once (their Salesforce writes are gathered). */
async function runPeople(
  ctx: ChunkContext,
  people: readonly Person[],
  outcome: ChunkOutcome,
  trigger: 'intercom' | 'salesforce',
): Promise<void> {
  let retry: ChunkRetry | undefined;
  const events = collectingEvents(outcome.events);
  // Each person runs synchronously up to its first wait, and matching comes before it: once
  // the map below returns, every person of the chunk is matched.
  const running = people.map(async (person) => {
    const writer = ctx.writerFor();
    const ledger = personLedger(events, person.recordKey, ctx.jobId, trigger);
    try {
      await person.run(ledger, writer);
    } catch (error) {
      if (!(error instanceof SyncCallError)) throw error;
      const action = actionFor(error);
      if (action.kind !== 'park') {
        retry ??= new ChunkRetry(action.control);
        return;
      }
      const failure = error.error;
      outcome.failures.push({
        recordKey: person.recordKey,
        system: failure.system,
        operation: error.operation,
        category: categoryOf(failure),
        errorCode: errorCodeOf(failure),
        message: failure.message,
        fields: fieldsOf(failure),
        payload: person.replay.payload,
      });
      outcome.events.push({
        kind: 'sync.failed',
        subject: person.recordKey,
        data: {
          ...person.ids,
          system: failure.system,
          operation: error.operation,
          category: categoryOf(failure),
          code: failure.code,
          errorCode: errorCodeOf(failure),
          fields: fieldsOf(failure),
          message: failure.message,
          next: 'needs_attention',
          trigger,
          job: ctx.jobId,
          backfill: ctx.backfillId,
        },
      });
      outcome.failed += 1;
      bump(outcome.counts, 'failed');
    } finally {
      writer.finish();
    }
  });
  ctx.decided?.();
  await Promise.all(running);
  if (retry) throw retry;
}

function countPlan(
  counts: Map<string, number>,
  plan: PersonPlan,
  applied: { readonly leadId: string | null },
): void {
  bump(counts, 'conflicts', plan.conflicts.length);
  if (applied.leadId !== null) bump(counts, 'leadsCreated');
  if (plan.salesforceUpdates.length > 0) bump(counts, 'salesforceUpdated');
  if (plan.intercomUpdates.length > 0) bump(counts, 'intercomUpdated');
  if (
    applied.leadId === null &&
    plan.salesforceUpdates.length === 0 &&
    plan.intercomUpdates.length === 0
  )
    bump(counts, 'unchanged');
}

function newOutcome(): ChunkOutcome {
  return {
    events: [],
    newLinks: [],
    stateWrites: new Map(),
    failures: [],
    handoffs: [],
    counts: new Map(),
    processed: 0,
    failed: 0,
  };
}

/** Live sync's run for an Intercom contact (it reads the contact's link and both records). */
const intercomReplay = (intercomId: string): Handoff => {
  const recordKey = intercomRecordKey(intercomId);
  return { task: 'sync.intercom.contact', payload: { recordKey }, jobKey: recordKey };
};

/** The link's state changed after the staged records were read: only live sync plans it. */
const changedSinceStaging = (ctx: ChunkContext, link: Link): boolean =>
  link.updatedAt.getTime() >= ctx.stagedSince;

const byId = <T extends { readonly id: string }>(items: readonly T[]) =>
  new Map(items.map((item) => [item.id, item]));

/** Leads of these emails in Salesforce itself (not the snapshot): for a chunk tried again. */
async function liveLeads(
  ctx: ChunkContext,
  emails: readonly string[],
): Promise<SalesforcePerson[]> {
  if (emails.length === 0) return [];
  const fields = personFields('Lead', ctx.settings, ctx.describe);
  const found = await ctx.salesforce.findByField('Lead', 'Email', emails, fields, {
    excludeConvertedLeads: true,
  });
  return must('match', found).map((record) => toSalesforcePerson('Lead', record));
}

/** Pass "from Intercom": one chunk of staged contacts. */
export async function intercomChunk(
  ctx: ChunkContext,
  rows: readonly StagedRecord[],
): Promise<ChunkOutcome> {
  const outcome = newOutcome();
  const contacts = rows.map((row) => row.data as IntercomContact);
  const links = new Map(
    (await ctx.links.findManyByIntercomIds(contacts.map((c) => c.id))).map((l) => [
      l.intercomId,
      l,
    ]),
  );
  const linkedPeople = byId(
    (
      await ctx.backfills.stagedBy(
        ctx.backfillId,
        'salesforce',
        'recordId',
        [...links.values()].map((l) => l.salesforceId),
      )
    ).map((row) => row.data as SalesforcePerson),
  );
  const unlinked = contacts.filter((c) => !links.has(c.id));
  const emails = unlinked.map((c) => emailKey(c.email)).filter((e): e is string => e !== null);
  const identifiers = unlinked
    .map((c) => c.externalId?.trim() ?? '')
    .filter((value) => value !== '');
  const staged = (key: 'emailKey' | 'identifierKey', values: readonly string[]) =>
    ctx.backfills
      .stagedBy(ctx.backfillId, 'salesforce', key, values)
      .then((found) => found.map((row) => ({ row, person: row.data as SalesforcePerson })));
  const byEmail = await staged('emailKey', emails);
  const identifierMode =
    ctx.settings.matching.mode === 'identifier' && ctx.settings.matching.identifierField !== null;
  const byIdentifier = identifierMode ? await staged('identifierKey', identifiers) : [];
  const recheck = ctx.recheckSalesforce ? await liveLeads(ctx, emails) : [];
  const candidateIds = [
    ...byEmail.map((c) => c.person.id),
    ...byIdentifier.map((c) => c.person.id),
    ...recheck.map((p) => p.id),
  ];
  const taken = new Set(
    (await ctx.links.findManyBySalesforceIds(candidateIds)).map((link) => link.salesforceId),
  );
  for (const id of candidateIds) if (ctx.linkedInFlight?.salesforce.has(id)) taken.add(id);
  // Contacts before Leads, as the live look-up answers them.
  const order = (a: SalesforcePerson, b: SalesforcePerson) =>
    a.type === b.type ? 0 : a.type === 'Contact' ? -1 : 1;
  const emailIndex = new Map<string, SalesforcePerson[]>();
  const seen = new Set<string>();
  for (const person of [...byEmail.map((c) => c.person), ...recheck].sort(order)) {
    const key = emailKey(person.email);
    if (key === null || seen.has(person.id)) continue;
    seen.add(person.id);
    emailIndex.set(key, [...(emailIndex.get(key) ?? []), person]);
  }
  const identifierIndex = new Map<string, SalesforcePerson[]>();
  for (const { row, person } of byIdentifier.sort((a, b) => order(a.person, b.person))) {
    if (row.identifierKey === null) continue;
    identifierIndex.set(row.identifierKey, [
      ...(identifierIndex.get(row.identifierKey) ?? []),
      person,
    ]);
  }

  const links$ = chunkLinks(ctx.links, outcome);
  const people: Person[] = contacts.map((contact) => {
    const replay = intercomReplay(contact.id);
    const { jobKey: recordKey } = replay;
    return {
      recordKey,
      ids: { intercomId: contact.id },
      replay,
      async run(ledger, writer) {
        outcome.processed += 1;
        const link = links.get(contact.id) ?? null;
        let person: SalesforcePerson | null = null;
        let linkForPlan: Link | null = link;
        if (link !== null) {
          person = linkedPeople.get(link.salesforceId) ?? null;
          if (person === null || changedSinceStaging(ctx, link)) {
            // Converted, merged, deleted or new since staging, or synced by live sync since:
            // live sync follows the link and reads both records afresh.
            outcome.handoffs.push(replay);
            bump(outcome.counts, 'handedToLiveSync');
            return;
          }
          bump(outcome.counts, 'alreadyLinked');
        } else {
          const key = emailKey(contact.email);
          const decision = matchPerson({
            contact,
            matching: ctx.settings.matching,
            byIdentifier: identifierIndex.get(contact.externalId?.trim() ?? '') ?? [],
            byEmail: key === null ? [] : (emailIndex.get(key) ?? []),
            linkedSalesforceIds: taken,
          });
          if (decision.kind === 'matched') {
            person = decision.record;
            if (!ctx.objects.includes(person.type)) {
              bump(outcome.counts, 'skipped:object_not_selected');
              return;
            }
            taken.add(person.id);
            ctx.linkedInFlight?.salesforce.add(person.id);
            linkForPlan = await createLink(
              { links: links$, ledger },
              contact.id,
              person,
              decision.reason,
              decision.rule,
              decision.duplicates,
              'salesforce',
            );
            bump(outcome.counts, 'matched');
            bump(outcome.counts, 'duplicateCandidates', decision.duplicates.length > 0 ? 1 : 0);
          }
        }
        if (!ctx.objects.includes(person?.type ?? 'Lead')) {
          bump(outcome.counts, 'skipped:object_not_selected');
          return;
        }
        const plan = planIn(ctx, 'from_intercom', contact, person, linkForPlan);
        if (person === null && plan.createLead === null) {
          const reason =
            plan.skips.find((skip) => skip.mapping === null)?.reason ?? 'no_counterpart';
          bump(outcome.counts, `skipped:${reason}`);
        }
        const applied = await applyPlan(applyContext(ctx, writer, links$, ledger), plan, {
          contact,
          person,
          link: linkForPlan,
        });
        if (person !== null || applied.leadId !== null) countPlan(outcome.counts, plan, applied);
      },
    };
  });
  await runPeople(ctx, people, outcome, 'intercom');
  return outcome;
}

/** Pass "from Salesforce": one chunk of staged Leads and Contacts. */
export async function salesforceChunk(
  ctx: ChunkContext,
  rows: readonly StagedRecord[],
): Promise<ChunkOutcome> {
  const outcome = newOutcome();
  const people = rows
    .map((row) => ({ row, person: row.data as SalesforcePerson }))
    .filter(({ person }) => ctx.objects.includes(person.type));
  const links = new Map(
    (await ctx.links.findManyBySalesforceIds(people.map(({ person }) => person.id))).map((l) => [
      l.salesforceId,
      l,
    ]),
  );
  const stagedContacts = async (key: 'recordId' | 'emailKey' | 'identifierKey', values: string[]) =>
    (await ctx.backfills.stagedBy(ctx.backfillId, 'intercom', key, values)).map(
      (row) => row.data as IntercomContact,
    );
  const linkedContacts = byId(
    await stagedContacts(
      'recordId',
      [...links.values()].map((l) => l.intercomId),
    ),
  );
  const unlinked = people.filter(({ person }) => !links.has(person.id));
  const byEmail = await stagedContacts(
    'emailKey',
    unlinked.map(({ row }) => row.emailKey).filter((k): k is string => k !== null),
  );
  const identifierMode =
    ctx.settings.matching.mode === 'identifier' && ctx.settings.matching.identifierField !== null;
  const byExternalId = identifierMode
    ? await stagedContacts(
        'identifierKey',
        unlinked.map(({ row }) => row.identifierKey).filter((k): k is string => k !== null),
      )
    : [];
  const taken = new Set(
    (await ctx.links.findManyByIntercomIds([...byEmail, ...byExternalId].map((c) => c.id))).map(
      (link) => link.intercomId,
    ),
  );
  for (const contact of [...byEmail, ...byExternalId])
    if (ctx.linkedInFlight?.intercom.has(contact.id)) taken.add(contact.id);
  const emailIndex = new Map<string, IntercomContact[]>();
  for (const contact of byEmail) {
    const key = emailKey(contact.email);
    if (key !== null) emailIndex.set(key, [...(emailIndex.get(key) ?? []), contact]);
  }
  const externalIndex = new Map<string, IntercomContact[]>();
  for (const contact of byExternalId) {
    const key = contact.externalId?.trim() ?? '';
    if (key !== '') externalIndex.set(key, [...(externalIndex.get(key) ?? []), contact]);
  }

  const links$ = chunkLinks(ctx.links, outcome);
  const work: Person[] = people.map(({ row, person }) => {
    const recordKey = salesforceRecordKey(person.type, person.id);
    const replay: Handoff = {
      task: 'sync.salesforce.record',
      payload: { salesforceId: person.id, type: person.type },
      jobKey: recordKey,
    };
    return {
      recordKey,
      ids: { salesforceId: person.id },
      replay,
      async run(ledger, writer) {
        outcome.processed += 1;
        const link = links.get(person.id) ?? null;
        let contact: IntercomContact | null;
        let linkForPlan: Link | null = link;
        if (link !== null) {
          // With both directions, the pass from Intercom planned every linked pair already.
          if (ctx.direction === 'both') return;
          contact = linkedContacts.get(link.intercomId) ?? null;
          if (contact === null || changedSinceStaging(ctx, link)) {
            outcome.handoffs.push(replay);
            bump(outcome.counts, 'handedToLiveSync');
            return;
          }
          bump(outcome.counts, 'alreadyLinked');
        } else {
          const decision = matchSalesforcePerson({
            person,
            matching: ctx.settings.matching,
            byExternalId:
              row.identifierKey === null ? [] : (externalIndex.get(row.identifierKey) ?? []),
            byEmail: row.emailKey === null ? [] : (emailIndex.get(row.emailKey) ?? []),
            linkedIntercomIds: taken,
          });
          if (decision.kind === 'unmatched') {
            const reason =
              decision.reason === 'converted_lead' ? 'converted_lead' : 'no_counterpart';
            bump(outcome.counts, `skipped:${reason}`);
            await ledger.skipped(
              {
                reason,
                mapping: null,
                detail: `no Intercom contact matches (${decision.reason}); Tandem does not create Intercom people`,
              },
              { salesforceId: person.id },
            );
            return;
          }
          contact = decision.record;
          taken.add(contact.id);
          ctx.linkedInFlight?.intercom.add(contact.id);
          linkForPlan = await createLink(
            { links: links$, ledger },
            contact.id,
            person,
            decision.reason,
            decision.rule,
            decision.duplicates,
            'intercom',
          );
          bump(outcome.counts, 'matched');
          bump(outcome.counts, 'duplicateCandidates', decision.duplicates.length > 0 ? 1 : 0);
        }
        const plan = planIn(ctx, 'from_salesforce', contact, person, linkForPlan);
        const applied = await applyPlan(
          applyContext(ctx, writer, links$, ledger),
          { ...plan, createLead: null },
          { contact, person, link: linkForPlan },
        );
        countPlan(outcome.counts, plan, applied);
      },
    };
  });
  outcome.processed += rows.length - people.length;
  // Records of objects not chosen never write: the chunk's shared writes must not wait for them.
  for (let i = people.length; i < rows.length; i += 1) ctx.writerFor().finish();
  await runPeople(ctx, work, outcome, 'salesforce');
  return outcome;
}
