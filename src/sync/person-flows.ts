// The two runs of people sync: from an Intercom contact and from a Salesforce Lead or Contact.
// Each reads both sides, follows or makes the link, plans with the core, and applies the plan.
import {
  onDeleted,
  onIntercomContactReplaced,
  onIntercomEmailChanged,
  onSalesforceLeadConverted,
  onSalesforceMerged,
  planPersonSync,
  sameEmail,
  type IntercomContact,
  type IntercomDataAttribute,
  type PersonObject,
  type SalesforcePerson,
  type Trigger,
} from '../core/index.ts';
import type { InboxRepository, Link } from '../store/index.ts';
import { applyPlan, recoverState, type ApplyContext } from './person-apply.ts';
import { applyLinkDecision, identityOf, written, type LinkContext } from './person-links.ts';
import {
  leadsWithEmail,
  linkedIds,
  matchContact,
  matchSalesforceRecord,
  mergedInto,
  readContact,
  readPerson,
  type ReadContext,
} from './person-read.ts';
import { intercomRecordKey } from './person-records.ts';

export interface RunContext extends ReadContext, ApplyContext, LinkContext {
  readonly intercomAttributes: readonly IntercomDataAttribute[];
  readonly inbox: InboxRepository;
}

/**
 * Contacts merged into this one, from the `contact.merged` webhooks waiting for it: the webhook
 * is the only place Intercom names the contact that disappeared (`merged_from`).
 */
async function mergedFrom(ctx: RunContext, contactId: string): Promise<string[]> {
  const pending = await ctx.inbox.pending({ recordKey: intercomRecordKey(contactId), limit: 1000 });
  const ids: string[] = [];
  for (const event of pending) {
    if (event.topic !== 'contact.merged') continue;
    try {
      const body = JSON.parse(event.body) as {
        data?: { item?: { merged_from?: { id?: unknown } } };
      };
      const from = body.data?.item?.merged_from?.id;
      if (typeof from === 'string' && from !== '' && from !== contactId) ids.push(from);
    } catch {
      // The intake stored only verified, parsed notifications; an unreadable one names no one.
    }
  }
  return [...new Set(ids)];
}

/**
 * Moves the links of contacts merged into this one onto it (or drops them, if it has one).
 * Answers whether it changed any link.
 */
async function followMerges(ctx: RunContext, contactId: string): Promise<boolean> {
  let changed = false;
  for (const fromId of await mergedFrom(ctx, contactId)) {
    const old = await ctx.links.findByIntercomId(fromId);
    if (!old) continue;
    changed = true;
    const decision = onIntercomContactReplaced({
      link: identityOf(old),
      survivorId: contactId,
      cause: 'merged',
      survivorLinkedTo: (await ctx.links.findByIntercomId(contactId))?.salesforceId ?? null,
    });
    await applyLinkDecision(ctx, old, decision);
  }
  return changed;
}

/** Linked pair (or what is left of it) after following the link's moves. */
interface Followed {
  readonly link: Link;
  readonly person: SalesforcePerson;
}

/**
 * Reads the linked Salesforce record and moves the link where the record went: to the master of
 * a merge, to the Contact a Lead was converted into, to another Lead when the email changed.
 * Answers null when the link was dropped (the record was deleted).
 */
async function followSalesforce(
  ctx: RunContext,
  start: Link,
  contact: IntercomContact | null,
  known?: SalesforcePerson | null,
): Promise<Followed | null> {
  let link = start;
  let person =
    known === undefined ? await readPerson(ctx, link.salesforceType, link.salesforceId) : known;
  if (person === null) {
    const master = await mergedInto(ctx, link.salesforceType, link.salesforceId);
    const decision =
      master === null
        ? onDeleted({
            link: identityOf(link),
            deletedIn: 'salesforce',
            deleteOtherSide: ctx.settings.deleteOtherSide,
          })
        : onSalesforceMerged({
            link: identityOf(link),
            masterId: master,
            masterType: link.salesforceType,
            masterLinkedTo: (await ctx.links.findBySalesforceId(master))?.intercomId ?? null,
          });
    const next = await applyLinkDecision(ctx, link, decision);
    if (next === null) return null;
    link = next;
    person = await readPerson(ctx, link.salesforceType, link.salesforceId);
    if (person === null) return null;
  }
  if (person.type === 'Lead' && person.isConverted) {
    const contactId = person.convertedContactId;
    const decision = onSalesforceLeadConverted({
      link: identityOf(link),
      lead: person,
      contactLinkedTo:
        contactId === null
          ? null
          : ((await ctx.links.findBySalesforceId(contactId))?.intercomId ?? null),
    });
    const next = await applyLinkDecision(ctx, link, decision);
    if (next === null) return null;
    link = next;
    if (decision.action === 'move') {
      person = await readPerson(ctx, link.salesforceType, link.salesforceId);
      if (person === null) return null;
    }
  }
  if (contact !== null && link.salesforceType === 'Lead' && emailChanged(link, contact, person)) {
    const email = contact.email?.trim() ?? '';
    const candidates = email === '' ? [] : await leadsWithEmail(ctx, email);
    const decision = onIntercomEmailChanged({
      link: identityOf(link),
      newEmail: contact.email,
      candidates,
      linkedSalesforceIds: await linkedIds(candidates, (id) => ctx.links.findBySalesforceId(id)),
    });
    const next = await applyLinkDecision(ctx, link, decision);
    if (next === null) return null;
    if (decision.action === 'move') {
      link = next;
      person = candidates.find((c) => c.id === link.salesforceId) ?? person;
    }
  }
  return { link, person };
}

/** The Intercom email differs from the one both sides last agreed on (or the Lead's own). */
function emailChanged(link: Link, contact: IntercomContact, person: SalesforcePerson): boolean {
  const agreed = link.state?.baseline['Email'];
  const before = agreed === undefined ? person.email : agreed === null ? null : String(agreed);
  return !sameEmail(contact.email, before) && !(contact.email === null && before === null);
}

async function plan(
  ctx: RunContext,
  trigger: Trigger,
  contact: IntercomContact | null,
  person: SalesforcePerson | null,
  link: Link | null,
): Promise<void> {
  const planned = planPersonSync({
    settings: ctx.settings,
    describe: ctx.describe,
    intercomAttributes: ctx.intercomAttributes,
    intercom: contact,
    salesforce: person,
    state: recoverState(link?.state ?? null, contact, person),
    trigger,
  });
  await applyPlan(ctx, planned, { contact, person, link });
}

/** A run for an Intercom contact (a webhook, the reconciliation sweep, a replay). */
export async function syncFromIntercom(ctx: RunContext, contactId: string): Promise<void> {
  // The link is read before the records: the state it holds then never includes a write the
  // records read miss. Read the other way round, another run's write landing in between would
  // make the older record look like someone's edit back to the old value, which this run would
  // then carry across over the newer one.
  let link = (await ctx.links.findByIntercomId(contactId)) ?? null;
  const contact = await readContact(ctx, contactId);
  if (contact === null) {
    if (link === null) {
      await ctx.ledger.skipped(
        {
          reason: 'no_counterpart',
          mapping: null,
          detail: 'the Intercom contact no longer exists',
        },
        { intercomId: contactId },
      );
      return;
    }
    const decision = onDeleted({
      link: identityOf(link),
      deletedIn: 'intercom',
      deleteOtherSide: ctx.settings.deleteOtherSide,
    });
    await applyLinkDecision(ctx, link, decision);
    return;
  }
  // A merge drops the other contact's link when this one has a link, or moves it here with no
  // state (the contact read above cannot be older than that).
  const merged = await followMerges(ctx, contactId);
  if (merged && link === null) link = (await ctx.links.findByIntercomId(contactId)) ?? null;
  let person: SalesforcePerson | null = null;
  if (link !== null) {
    const followed = await followSalesforce(ctx, link, contact);
    if (followed === null) return;
    ({ link, person } = followed);
  } else {
    const decision = await matchContact(ctx, contact);
    // A Lead Tandem made for this contact whose answer was lost is not someone else's record
    // to reconcile with: the create is finished as an upsert, with the contact's values now.
    if (decision.kind === 'matched' && !isOwnLead(ctx, contact.id, decision.record)) {
      person = decision.record;
      link = await createLink(
        ctx,
        contact.id,
        person,
        decision.reason,
        decision.rule,
        decision.duplicates,
        'salesforce',
      );
    }
  }
  await plan(ctx, 'intercom', contact, person, link);
}

/** A run for a Salesforce Lead or Contact (a change event, the polling sweep, a replay). */
export async function syncFromSalesforce(
  ctx: RunContext,
  type: PersonObject,
  salesforceId: string,
): Promise<void> {
  let link = (await ctx.links.findBySalesforceId(salesforceId)) ?? null;
  let person = await readPerson(ctx, type, salesforceId);
  let contact: IntercomContact | null;
  if (link !== null) {
    contact = await readContact(ctx, link.intercomId);
    if (contact === null) {
      const decision = onDeleted({
        link: identityOf(link),
        deletedIn: 'intercom',
        deleteOtherSide: ctx.settings.deleteOtherSide,
      });
      await applyLinkDecision(ctx, link, decision);
      return;
    }
    const followed = await followSalesforce(ctx, link, contact, person);
    if (followed === null) return;
    ({ link, person } = followed);
  } else {
    const ids = { salesforceId };
    if (person === null) {
      await ctx.ledger.skipped(
        {
          reason: 'no_counterpart',
          mapping: null,
          detail: `${type} ${salesforceId} no longer exists`,
        },
        ids,
      );
      return;
    }
    const creator = ownerOfLead(ctx, person);
    if (creator !== null) {
      // Tandem created this Lead for that contact and has not linked it yet (the answer was
      // lost, or the process died): the contact's run finishes the create.
      await syncFromIntercom(ctx, creator);
      return;
    }
    const decision = await matchSalesforceRecord(ctx, person);
    if (decision.kind === 'unmatched') {
      await ctx.ledger.skipped(
        {
          reason: decision.reason === 'converted_lead' ? 'converted_lead' : 'no_counterpart',
          mapping: null,
          detail: `no Intercom contact matches (${decision.reason}); Tandem does not create Intercom people`,
        },
        ids,
      );
      return;
    }
    // The search answers contacts without their company names: read the chosen one in full.
    contact = (await readContact(ctx, decision.record.id)) ?? decision.record;
    link = await createLink(
      ctx,
      contact.id,
      person,
      decision.reason,
      decision.rule,
      decision.duplicates,
      'intercom',
    );
  }
  await plan(ctx, 'salesforce', contact, person, link);
}

/** The Intercom id in an unlinked Lead's external-ID field: the contact Tandem created it for. */
function ownerOfLead(ctx: RunContext, person: SalesforcePerson): string | null {
  const field = ctx.settings.externalIdField;
  if (field === null || person.type !== 'Lead') return null;
  const value = person.fields[field];
  return typeof value === 'string' && value !== '' ? value : null;
}

const isOwnLead = (ctx: RunContext, intercomId: string, person: SalesforcePerson): boolean =>
  ownerOfLead(ctx, person) === intercomId;

/** Links a matched pair and records why (and the duplicates passed over, if any). */
export async function createLink(
  ctx: Pick<RunContext, 'links' | 'ledger'>,
  intercomId: string,
  person: SalesforcePerson,
  reason: string,
  rule: string,
  duplicates: readonly { readonly id: string }[],
  duplicatesIn: 'salesforce' | 'intercom',
): Promise<Link> {
  const link = written(
    await ctx.links.create({
      intercomId,
      salesforceId: person.id,
      salesforceType: person.type,
    }),
    'link the matched pair',
  );
  await ctx.ledger.record('link.created', {
    intercomId,
    salesforceId: person.id,
    salesforceType: person.type,
    reason,
    rule,
    duplicates: duplicates.map((d) => d.id),
  });
  // Several records matched one person: worth a look in the CRM (or in Intercom).
  if (duplicates.length > 0)
    await ctx.ledger.record('duplicate.candidate', {
      intercomId,
      salesforceId: person.id,
      system: duplicatesIn,
      chosen: duplicatesIn === 'salesforce' ? person.id : intercomId,
      passedOver: duplicates.map((d) => d.id),
      rule,
    });
  return link;
}
