// `tandem plan` (issue 6, point 2): what people sync would do for everyone, written nowhere.
// It reads both systems page by page, matches with the core and plans with the core's pure
// `planPersonSync`; it never imports person-apply.ts nor the link decisions, and it calls the
// connectors only through read-only views that refuse any write (readOnly below).
import {
  planPersonSync,
  type Direction,
  type IntercomContact,
  type IntercomDataAttribute,
  type MatchDecision,
  type PersonObject,
  type PersonPlan,
  type SalesforcePerson,
  type SyncSettings,
} from '../core/index.ts';
import type { IntercomConnector, SalesforceConnector } from '../connectors/index.ts';
import type { LinksRepository } from '../store/index.ts';
import { toIntercomContact } from './mappers.ts';
import { must } from './person-errors.ts';
import {
  matchContact,
  matchSalesforceRecord,
  readPerson,
  tagNames,
  type ReadContext,
} from './person-read.ts';
import { personFields, toSalesforcePerson } from './person-records.ts';

/** Thrown when something tries to write through a planning connector: a bug, never expected. */
export class PlanWriteError extends Error {
  override readonly name = 'PlanWriteError';
}

const intercomReads = [
  'me',
  'findContact',
  'findContactByExternalId',
  'searchContacts',
  'contactsUpdatedSince',
  'listContacts',
  'listDataAttributes',
  'listAdmins',
  'listTags',
  'findCompany',
] as const satisfies readonly (keyof IntercomConnector)[];

const salesforceReads = [
  'connect',
  'describe',
  'query',
  'retrieve',
  'findByField',
  'findByEmail',
  'findByIdentifier',
] as const satisfies readonly (keyof SalesforceConnector)[];

/** The connector with every method but the listed reads replaced by one that throws. */
export function readOnly<T extends object>(connector: T, reads: readonly string[]): T {
  return new Proxy(connector, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      if (!reads.includes(property))
        return () => {
          throw new PlanWriteError(`plan must not call ${property}`);
        };
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}

export const readOnlyIntercom = (c: IntercomConnector): IntercomConnector =>
  readOnly(c, intercomReads);
export const readOnlySalesforce = (c: SalesforceConnector): SalesforceConnector =>
  readOnly(c, salesforceReads);

export interface PlanContext {
  readonly settings: SyncSettings;
  readonly salesforce: SalesforceConnector;
  readonly intercom: IntercomConnector;
  /** Lead and Contact describes, as the sync reads them. */
  readonly describe: ReadContext['describe'];
  readonly intercomAttributes: readonly IntercomDataAttribute[];
  /** Only looked up: a plan never creates, moves or drops a link. */
  readonly links: Pick<LinksRepository, 'findByIntercomId' | 'findBySalesforceId'>;
}

export interface PlanOptions {
  readonly direction: Direction;
  readonly objects: readonly PersonObject[];
  /** At most this many people, over both systems. */
  readonly limit?: number;
  readonly pageSize?: number;
}

/** How the person was paired with the other system's record. */
export type Pairing =
  | { readonly kind: 'linked'; readonly linkId: number }
  | {
      readonly kind: 'matched';
      readonly reason: string;
      readonly rule: string;
      readonly duplicates: readonly string[];
    }
  | { readonly kind: 'unmatched'; readonly reason: string }
  | { readonly kind: 'linked_record_gone'; readonly linkId: number };

/** The plan for one person, as read from one system. */
export interface PersonReport {
  readonly source: 'intercom' | 'salesforce';
  readonly intercom: { readonly id: string; readonly email: string | null } | null;
  readonly salesforce: {
    readonly type: PersonObject;
    readonly id: string;
    readonly email: string | null;
  } | null;
  readonly pairing: Pairing;
  /** What `planPersonSync` answered; null when nothing was planned (see pairing). */
  readonly plan: PersonPlan | null;
}

const readsIntercom = (d: Direction) => d !== 'to_intercom';
const readsSalesforce = (d: Direction) => d !== 'to_salesforce';

/** Every person's report, one at a time, paging through Intercom then Salesforce. */
export async function* planPeople(
  ctx: PlanContext,
  options: PlanOptions,
): AsyncGenerator<PersonReport, void, undefined> {
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  const pageSize = options.pageSize ?? 150;
  if (readsIntercom(options.direction)) {
    const companies = new CompanyNames(ctx.intercom);
    const tags = await tagNames(ctx);
    for await (const page of ctx.intercom.listContacts({ perPage: pageSize })) {
      for (const raw of must('list_contacts', page)) {
        if (left <= 0) return;
        const contact = await companies.fill(toIntercomContact(raw, tags));
        const report = await planContact(ctx, contact, options);
        if (report === null) continue;
        left -= 1;
        yield report;
      }
    }
  }
  if (readsSalesforce(options.direction)) {
    for (const type of (['Lead', 'Contact'] as const).filter((t) => options.objects.includes(t))) {
      const fields = personFields(type, ctx.settings, ctx.describe);
      const where = type === 'Lead' ? ' WHERE IsConverted = false' : '';
      const soql = `SELECT ${fields.join(', ')} FROM ${type}${where} ORDER BY Id`;
      for await (const page of ctx.salesforce.query(soql, { batchSize: 200 })) {
        for (const record of must('list_salesforce', page).records) {
          if (left <= 0) return;
          const report = await planSalesforce(ctx, toSalesforcePerson(type, record), options);
          if (report === null) continue;
          left -= 1;
          yield report;
        }
      }
    }
  }
}

/** Intercom's plan for one contact: its link or its match, then the core's plan. */
async function planContact(
  ctx: PlanContext,
  contact: IntercomContact,
  options: PlanOptions,
): Promise<PersonReport | null> {
  const intercom = { id: contact.id, email: contact.email };
  const link = (await ctx.links.findByIntercomId(contact.id)) ?? null;
  let person: SalesforcePerson | null = null;
  let pairing: Pairing;
  if (link !== null) {
    person = await readPerson(ctx, link.salesforceType, link.salesforceId);
    if (person === null) {
      // The live run would follow a merge or a deletion here (a link decision): not planned.
      if (!options.objects.includes(link.salesforceType)) return null;
      return {
        source: 'intercom',
        intercom,
        salesforce: { type: link.salesforceType, id: link.salesforceId, email: null },
        pairing: { kind: 'linked_record_gone', linkId: link.id },
        plan: null,
      };
    }
    pairing = { kind: 'linked', linkId: link.id };
  } else {
    const decision = await matchContact(ctx, contact);
    pairing = pairingOf(decision);
    if (decision.kind === 'matched') person = decision.record;
  }
  // A new Lead counts as a Lead: `--objects contacts` leaves it out.
  if (!options.objects.includes(person?.type ?? 'Lead')) return null;
  const plan = planPersonSync({
    settings: ctx.settings,
    describe: ctx.describe,
    intercomAttributes: ctx.intercomAttributes,
    intercom: contact,
    salesforce: person,
    state: link?.state ?? null,
    trigger: 'intercom',
  });
  return {
    source: 'intercom',
    intercom,
    salesforce: person && { type: person.type, id: person.id, email: person.email },
    pairing,
    plan: options.direction === 'to_salesforce' ? { ...plan, intercomUpdates: [] } : plan,
  };
}

/**
 * Salesforce's plan for one Lead or Contact (Tandem never creates Intercom people). In both
 * directions a linked or matching pair was reported from Intercom already: null.
 */
async function planSalesforce(
  ctx: PlanContext,
  person: SalesforcePerson,
  options: PlanOptions,
): Promise<PersonReport | null> {
  const salesforce = { type: person.type, id: person.id, email: person.email };
  const both = options.direction === 'both';
  const link = (await ctx.links.findBySalesforceId(person.id)) ?? null;
  let contact: IntercomContact | null = null;
  let pairing: Pairing;
  if (link !== null) {
    if (both) return null;
    const found = await ctx.intercom.findContact(link.intercomId);
    contact =
      found.ok || found.error.code !== 'not_found'
        ? toIntercomContact(must('read_contact', found))
        : null;
    pairing =
      contact === null
        ? { kind: 'linked_record_gone', linkId: link.id }
        : { kind: 'linked', linkId: link.id };
  } else {
    const decision = await matchSalesforceRecord(ctx, person);
    pairing = pairingOf(decision);
    if (decision.kind === 'matched') {
      if (both) return null;
      contact = decision.record;
    }
  }
  const plan = planPersonSync({
    settings: ctx.settings,
    describe: ctx.describe,
    intercomAttributes: ctx.intercomAttributes,
    intercom: contact,
    salesforce: person,
    state: link?.state ?? null,
    trigger: 'salesforce',
  });
  return {
    source: 'salesforce',
    intercom: contact && { id: contact.id, email: contact.email },
    salesforce,
    pairing,
    plan: { ...plan, createLead: null, salesforceUpdates: [] },
  };
}

function pairingOf(decision: MatchDecision<{ readonly id: string }>): Pairing {
  return decision.kind === 'matched'
    ? {
        kind: 'matched',
        reason: decision.reason,
        rule: decision.rule,
        duplicates: decision.duplicates.map((d) => d.id),
      }
    : { kind: 'unmatched', reason: decision.reason };
}

/**
 * A contact's first company name (a new Lead's Company), read once per company. The cache is
 * bounded: a workspace with more companies than this reads some of them again.
 */
export class CompanyNames {
  readonly #intercom: IntercomConnector;
  readonly #names = new Map<string, string | null>();
  constructor(intercom: IntercomConnector) {
    this.#intercom = intercom;
  }

  async fill(contact: IntercomContact): Promise<IntercomContact> {
    const first = contact.companies[0];
    if (!first) return contact;
    let name = this.#names.get(first.id);
    if (name === undefined) {
      const found = await this.#intercom.findCompany(first.id);
      name =
        !found.ok && found.error.code === 'not_found' ? null : must('read_company', found).name;
      if (this.#names.size >= 10_000) this.#names.clear();
      this.#names.set(first.id, name);
    }
    if (name === null) return contact;
    return { ...contact, companies: [{ id: first.id, name }, ...contact.companies.slice(1)] };
  }
}
