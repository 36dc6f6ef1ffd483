/**
 * Identity links and what moves them (issue 5, point 4). A link stays until something breaks
 * it; each function here is the pure decision for one such event, with a ledger reason.
 */
import { chooseSalesforceCandidate } from './candidates.ts';
import { sameEmail } from './matching.ts';
import type { PersonObject, SalesforcePerson } from './salesforce.ts';
import type { DeletionPropagation, MatchingSettings } from './settings.ts';

export interface IdentityLink {
  readonly intercomId: string;
  readonly salesforceId: string;
  readonly salesforceType: PersonObject;
}

export const linkReasons = [
  'email_changed_remapped_lead',
  'email_changed_no_other_lead',
  'email_changed_contact_kept',
  'identifier_setting_changed',
  'identifier_setting_unchanged',
  'lead_converted',
  'lead_not_converted',
  'intercom_lead_signed_up',
  'intercom_contact_merged',
  'salesforce_merged',
  'target_already_linked',
  'intercom_deleted',
  'salesforce_deleted',
] as const;
export type LinkReason = (typeof linkReasons)[number];

export type LinkDecision =
  | { readonly action: 'keep'; readonly link: IdentityLink; readonly reason: LinkReason }
  | {
      readonly action: 'move';
      readonly from: IdentityLink;
      readonly to: IdentityLink;
      readonly reason: LinkReason;
    }
  | {
      readonly action: 'drop';
      readonly link: IdentityLink;
      readonly reason: LinkReason;
      /** Set only when a setting asks for deletions to be repeated on the other side. */
      readonly deleteOnOtherSide: {
        readonly system: 'intercom' | 'salesforce';
        readonly id: string;
      } | null;
    };

const keep = (link: IdentityLink, reason: LinkReason): LinkDecision => ({
  action: 'keep',
  link,
  reason,
});
const move = (from: IdentityLink, to: IdentityLink, reason: LinkReason): LinkDecision => ({
  action: 'move',
  from,
  to,
  reason,
});

/**
 * Seed 004: when a person's email changes, a link to a Lead moves to another Lead with the new
 * email if there is one (the most recently modified). Links to Contacts stay.
 */
export function onIntercomEmailChanged(input: {
  readonly link: IdentityLink;
  readonly newEmail: string | null;
  /** Salesforce records with the new email. */
  readonly candidates: readonly SalesforcePerson[];
  readonly linkedSalesforceIds?: ReadonlySet<string>;
}): LinkDecision {
  const { link } = input;
  if (link.salesforceType !== 'Lead') return keep(link, 'email_changed_contact_kept');
  const leads = input.candidates.filter(
    (person) =>
      person.type === 'Lead' &&
      !person.isConverted &&
      person.id !== link.salesforceId &&
      sameEmail(person.email, input.newEmail) &&
      !input.linkedSalesforceIds?.has(person.id),
  );
  const choice = chooseSalesforceCandidate(leads);
  if (!choice) return keep(link, 'email_changed_no_other_lead');
  return move(
    link,
    { ...link, salesforceId: choice.chosen.id, salesforceType: 'Lead' },
    'email_changed_remapped_lead',
  );
}

/**
 * Seed 004: changing the attribute used to match unmatches everyone; matching starts again
 * going forward. Turning the email fallback on or off does not change what a link means.
 */
export function identifierSettingChanged(
  previous: MatchingSettings,
  next: MatchingSettings,
): { readonly dropAllLinks: boolean; readonly reason: LinkReason } {
  const changed =
    previous.mode !== next.mode ||
    (next.mode === 'identifier' && previous.identifierField !== next.identifierField);
  return {
    dropAllLinks: changed,
    reason: changed ? 'identifier_setting_changed' : 'identifier_setting_unchanged',
  };
}

/** A converted Lead hands its link to the Contact it became, unless that Contact has one. */
export function onSalesforceLeadConverted(input: {
  readonly link: IdentityLink;
  readonly lead: SalesforcePerson;
  /** The Intercom contact already linked to the converted Contact, if any. */
  readonly contactLinkedTo?: string | null;
}): LinkDecision {
  const { link, lead } = input;
  if (!lead.isConverted || lead.convertedContactId === null)
    return keep(link, 'lead_not_converted');
  const target = input.contactLinkedTo ?? null;
  if (target !== null && target !== link.intercomId) {
    return { action: 'drop', link, reason: 'target_already_linked', deleteOnOtherSide: null };
  }
  return move(
    link,
    { ...link, salesforceId: lead.convertedContactId, salesforceType: 'Contact' },
    'lead_converted',
  );
}

/**
 * An Intercom lead that signs up becomes a user (same or new id), and a lead merged into a user
 * disappears: either way the link follows the surviving user.
 */
export function onIntercomContactReplaced(input: {
  readonly link: IdentityLink;
  readonly survivorId: string;
  readonly cause: 'signed_up' | 'merged';
  /** The Salesforce record the survivor is already linked to, if any. */
  readonly survivorLinkedTo?: string | null;
}): LinkDecision {
  const { link, survivorId } = input;
  const reason: LinkReason =
    input.cause === 'signed_up' ? 'intercom_lead_signed_up' : 'intercom_contact_merged';
  const target = input.survivorLinkedTo ?? null;
  if (target !== null && target !== link.salesforceId) {
    return { action: 'drop', link, reason: 'target_already_linked', deleteOnOtherSide: null };
  }
  if (survivorId === link.intercomId) return keep(link, reason);
  return move(link, { ...link, intercomId: survivorId }, reason);
}

/** A Salesforce merge deletes the losers; their links move to the master record. */
export function onSalesforceMerged(input: {
  readonly link: IdentityLink;
  readonly masterId: string;
  readonly masterType: PersonObject;
  /** The Intercom contact already linked to the master, if any. */
  readonly masterLinkedTo?: string | null;
}): LinkDecision {
  const { link } = input;
  const target = input.masterLinkedTo ?? null;
  if (target !== null && target !== link.intercomId) {
    return { action: 'drop', link, reason: 'target_already_linked', deleteOnOtherSide: null };
  }
  if (input.masterId === link.salesforceId) return keep(link, 'salesforce_merged');
  return move(
    link,
    { ...link, salesforceId: input.masterId, salesforceType: input.masterType },
    'salesforce_merged',
  );
}

/**
 * A deletion removes the link and is recorded. The other side is deleted only when
 * `deleteOtherSide` says so for this direction.
 */
export function onDeleted(input: {
  readonly link: IdentityLink;
  readonly deletedIn: 'intercom' | 'salesforce';
  readonly deleteOtherSide: DeletionPropagation;
}): LinkDecision {
  const { link, deletedIn, deleteOtherSide } = input;
  const flow = deletedIn === 'intercom' ? 'to_salesforce' : 'to_intercom';
  const propagate = deleteOtherSide === 'both' || deleteOtherSide === flow;
  return {
    action: 'drop',
    link,
    reason: deletedIn === 'intercom' ? 'intercom_deleted' : 'salesforce_deleted',
    deleteOnOtherSide: !propagate
      ? null
      : deletedIn === 'intercom'
        ? { system: 'salesforce', id: link.salesforceId }
        : { system: 'intercom', id: link.intercomId },
  };
}
