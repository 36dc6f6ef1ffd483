// Reading both sides for one person: the Intercom contact (with its company's name), the
// Salesforce Lead or Contact, a deleted record's merge master, and the candidates matching needs.
import {
  matchPerson,
  matchSalesforcePerson,
  type IntercomContact,
  type PersonObject,
  type SalesforceDescribe,
  type SalesforcePerson,
  type SyncSettings,
} from '../core/index.ts';
import type { IntercomConnector, SalesforceConnector } from '../connectors/index.ts';
import type { Link, LinksRepository } from '../store/index.ts';
import { toIntercomContact } from './mappers.ts';
import { must } from './person-errors.ts';
import { LinkChangedError } from './person-links.ts';
import { personFields, toSalesforcePerson } from './person-records.ts';

export interface ReadContext {
  readonly settings: SyncSettings;
  readonly salesforce: SalesforceConnector;
  readonly intercom: IntercomConnector;
  readonly describe: SalesforceDescribe;
}

/** The contact, or null when Intercom no longer has it. The first company's name is filled in. */
export async function readContact(ctx: ReadContext, id: string): Promise<IntercomContact | null> {
  const found = await ctx.intercom.findContact(id);
  if (!found.ok && found.error.code === 'not_found') return null;
  const contact = toIntercomContact(must('read_contact', found), await tagNames(ctx));
  const first = contact.companies[0];
  if (!first) return contact;
  // The company fills a new Lead's Company; a company gone meanwhile just leaves the fallback.
  const company = await ctx.intercom.findCompany(first.id);
  if (!company.ok && company.error.code === 'not_found') return contact;
  const { name } = must('read_company', company);
  return {
    ...contact,
    companies: [{ id: first.id, name }, ...contact.companies.slice(1)],
  };
}

/**
 * The workspace's tag names by id, read only when the Lead threshold looks at tags (a contact
 * names its tags by id alone).
 */
export async function tagNames(ctx: ReadContext): Promise<ReadonlyMap<string, string> | undefined> {
  if (ctx.settings.leadCreation.threshold.tagsAny.length === 0) return undefined;
  const tags = must('read_tags', await ctx.intercom.listTags());
  return new Map(tags.map((tag) => [tag.id, tag.name]));
}

/** The Lead or Contact, or null when Salesforce no longer has it (deleted, merged away). */
export async function readPerson(
  ctx: ReadContext,
  type: PersonObject,
  id: string,
): Promise<SalesforcePerson | null> {
  const fields = personFields(type, ctx.settings, ctx.describe);
  const found = await ctx.salesforce.retrieve(type, id, fields);
  if (!found.ok && found.error.code === 'not_found') return null;
  return toSalesforcePerson(type, must('read_salesforce', found));
}

const salesforceId = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The record a deleted Lead or Contact was merged into, if it was merged (queryAll sees it). */
export async function mergedInto(
  ctx: ReadContext,
  type: PersonObject,
  id: string,
): Promise<string | null> {
  if (!salesforceId.test(id)) return null;
  const soql = `SELECT Id, MasterRecordId FROM ${type} WHERE Id = '${id}'`;
  for await (const page of ctx.salesforce.query(soql, { includeDeleted: true })) {
    const record = must('read_salesforce', page).records[0];
    const master = record?.['MasterRecordId'];
    return typeof master === 'string' && master !== '' ? master : null;
  }
  return null;
}

export interface SalesforceCandidates {
  readonly byIdentifier: SalesforcePerson[];
  readonly byEmail: SalesforcePerson[];
}

/**
 * Leads and Contacts the contact may match, by SOQL (never the lagging search index): this is
 * also the look-up that rules out an existing match before a Lead is created.
 */
export async function salesforceCandidates(
  ctx: ReadContext,
  contact: IntercomContact,
): Promise<SalesforceCandidates> {
  const { matching } = ctx.settings;
  const byIdentifier: SalesforcePerson[] = [];
  const byEmail: SalesforcePerson[] = [];
  for (const type of ['Contact', 'Lead'] as const) {
    const fields = personFields(type, ctx.settings, ctx.describe);
    const options = { excludeConvertedLeads: true };
    const identifier = contact.externalId?.trim() ?? '';
    if (matching.mode === 'identifier' && matching.identifierField !== null && identifier !== '') {
      const found = await ctx.salesforce.findByIdentifier(
        type,
        matching.identifierField,
        identifier,
        fields,
        options,
      );
      byIdentifier.push(...must('match', found).map((r) => toSalesforcePerson(type, r)));
    }
    const email = contact.email?.trim() ?? '';
    if (email !== '') {
      const found = await ctx.salesforce.findByEmail(type, email, fields, options);
      byEmail.push(...must('match', found).map((r) => toSalesforcePerson(type, r)));
    }
  }
  return { byIdentifier, byEmail };
}

/** Leads (not converted) with this email, for the email-change rule. */
export async function leadsWithEmail(ctx: ReadContext, email: string): Promise<SalesforcePerson[]> {
  const fields = personFields('Lead', ctx.settings, ctx.describe);
  const found = await ctx.salesforce.findByEmail('Lead', email, fields, {
    excludeConvertedLeads: true,
  });
  return must('match', found).map((r) => toSalesforcePerson('Lead', r));
}

export interface IntercomCandidates {
  readonly byExternalId: IntercomContact[];
  readonly byEmail: IntercomContact[];
}

/** Intercom contacts a Salesforce person may match: by `external_id`, then by email. */
export async function intercomCandidates(
  ctx: ReadContext,
  person: SalesforcePerson,
): Promise<IntercomCandidates> {
  const { matching } = ctx.settings;
  const byExternalId: IntercomContact[] = [];
  const byEmail: IntercomContact[] = [];
  const identifierValue =
    matching.mode === 'identifier' && matching.identifierField !== null
      ? person.fields[matching.identifierField]
      : undefined;
  if (typeof identifierValue === 'string' && identifierValue.trim() !== '') {
    const found = await ctx.intercom.findContactByExternalId(identifierValue.trim());
    if (found.ok) byExternalId.push(toIntercomContact(found.value));
    else if (found.error.code !== 'not_found') must('match', found);
  }
  if (person.email !== null && person.email.trim() !== '') {
    const pages = ctx.intercom.searchContacts(
      { field: 'email', operator: '=', value: person.email.trim() },
      { perPage: 50 },
    );
    for await (const page of pages) {
      byEmail.push(...must('match', page).map((raw) => toIntercomContact(raw)));
      break;
    }
  }
  return { byExternalId, byEmail };
}

/** The ids among `records` that already belong to a live link. */
export async function linkedIds(
  records: readonly { readonly id: string }[],
  find: (id: string) => Promise<Link | undefined>,
): Promise<Set<string>> {
  const linked = new Set<string>();
  for (const { id } of records) if (await find(id)) linked.add(id);
  return linked;
}

export interface MatchContext extends ReadContext {
  readonly links: Pick<LinksRepository, 'findByIntercomId' | 'findBySalesforceId'>;
}

/**
 * Throws LinkChangedError when a candidate is already linked to the very record being matched:
 * another run (the other side's change, the sweep) linked the pair after this run found no link.
 * Set aside as "linked to someone else", the candidate would have made this run create a second
 * Lead for the person; from the top, the run follows the link instead.
 */
async function linkedElsewhere(
  records: readonly { readonly id: string }[],
  find: (id: string) => Promise<Link | undefined>,
  self: (link: Link) => boolean,
): Promise<Set<string>> {
  const linked = new Set<string>();
  for (const { id } of records) {
    const link = await find(id);
    if (link === undefined) continue;
    if (self(link))
      throw new LinkChangedError(
        `match: linked meanwhile (${link.intercomId} ↔ ${link.salesforceId})`,
      );
    linked.add(id);
  }
  return linked;
}

/** Matches an unlinked Intercom contact to a Lead or Contact, setting aside records already linked. */
export async function matchContact(ctx: MatchContext, contact: IntercomContact) {
  const candidates = await salesforceCandidates(ctx, contact);
  return matchPerson({
    contact,
    matching: ctx.settings.matching,
    ...candidates,
    linkedSalesforceIds: await linkedElsewhere(
      [...candidates.byIdentifier, ...candidates.byEmail],
      (id) => ctx.links.findBySalesforceId(id),
      (link) => link.intercomId === contact.id,
    ),
  });
}

/** Matches an unlinked Lead or Contact to an Intercom contact, setting aside contacts already linked. */
export async function matchSalesforceRecord(ctx: MatchContext, person: SalesforcePerson) {
  const candidates = await intercomCandidates(ctx, person);
  return matchSalesforcePerson({
    person,
    matching: ctx.settings.matching,
    ...candidates,
    linkedIntercomIds: await linkedElsewhere(
      [...candidates.byExternalId, ...candidates.byEmail],
      (id) => ctx.links.findByIntercomId(id),
      (link) => link.salesforceId === person.id,
    ),
  });
}
