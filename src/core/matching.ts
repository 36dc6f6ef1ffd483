/**
 * Matching (issue 5, point 4): the identifier first, then the email fallback when enabled;
 * among several matches, `candidates.ts` picks one. Each decision carries a ledger reason.
 */
import {
  chooseIntercomCandidate,
  chooseSalesforceCandidate,
  type ChoiceRule,
} from './candidates.ts';
import type { IntercomContact } from './intercom.ts';
import type { SalesforcePerson } from './salesforce.ts';
import type { MatchingSettings } from './settings.ts';
import { isEmpty } from './values.ts';

export const matchReasons = ['identifier', 'email_fallback', 'email'] as const;
export type MatchReason = (typeof matchReasons)[number];

export const noMatchReasons = [
  'no_candidates',
  'no_identifier',
  'lead_needs_email_fallback',
  'no_email',
  'converted_lead',
] as const;
export type NoMatchReason = (typeof noMatchReasons)[number];

export type MatchDecision<T> =
  | {
      readonly kind: 'matched';
      readonly record: T;
      readonly reason: MatchReason;
      readonly rule: ChoiceRule;
      readonly duplicates: readonly T[];
    }
  | { readonly kind: 'unmatched'; readonly reason: NoMatchReason };

export const sameEmail = (a: string | null, b: string | null): boolean =>
  a !== null && b !== null && a.trim() !== '' && a.trim().toLowerCase() === b.trim().toLowerCase();

const identifierOf = (person: SalesforcePerson, field: string | null): string | null => {
  if (field === null) return null;
  const value = person.fields[field];
  return isEmpty(value) ? null : String(value).trim();
};

export interface IntercomMatchInput {
  readonly contact: IntercomContact;
  readonly matching: MatchingSettings;
  /** Leads and Contacts whose identifier field holds the contact's `external_id`. */
  readonly byIdentifier: readonly SalesforcePerson[];
  /** Leads and Contacts with the contact's email. */
  readonly byEmail: readonly SalesforcePerson[];
  /** Salesforce records already linked to someone else: links are 1:1. */
  readonly linkedSalesforceIds?: ReadonlySet<string>;
}

/** Finds the Salesforce Lead or Contact an Intercom contact matches. */
export function matchPerson(input: IntercomMatchInput): MatchDecision<SalesforcePerson> {
  const { contact, matching } = input;
  const usable = (person: SalesforcePerson) =>
    !(person.type === 'Lead' && person.isConverted) && !input.linkedSalesforceIds?.has(person.id);
  const pick = (candidates: readonly SalesforcePerson[], reason: MatchReason) => {
    const choice = chooseSalesforceCandidate(candidates.filter(usable));
    return choice && matched(choice, reason);
  };
  const byEmail = () =>
    contact.email === null ? [] : input.byEmail.filter((p) => sameEmail(p.email, contact.email));

  if (matching.mode === 'email') {
    if (isEmpty(contact.email)) return { kind: 'unmatched', reason: 'no_email' };
    return pick(byEmail(), 'email') ?? { kind: 'unmatched', reason: 'no_candidates' };
  }
  const externalId = isEmpty(contact.externalId) ? null : contact.externalId!.trim();
  if (externalId !== null) {
    const found = pick(
      input.byIdentifier.filter((p) => identifierOf(p, matching.identifierField) === externalId),
      'identifier',
    );
    if (found) return found;
    // A record holding another identifier belongs to someone else: only unclaimed ones qualify.
    if (matching.emailFallback && !isEmpty(contact.email)) {
      const unclaimed = byEmail().filter((p) => identifierOf(p, matching.identifierField) === null);
      const fallback = pick(unclaimed, 'email_fallback');
      if (fallback) return fallback;
    }
    return { kind: 'unmatched', reason: 'no_candidates' };
  }
  if (!matching.emailFallback) {
    return {
      kind: 'unmatched',
      reason: contact.role === 'lead' ? 'lead_needs_email_fallback' : 'no_identifier',
    };
  }
  if (isEmpty(contact.email)) return { kind: 'unmatched', reason: 'no_email' };
  return pick(byEmail(), 'email_fallback') ?? { kind: 'unmatched', reason: 'no_candidates' };
}

export interface SalesforceMatchInput {
  readonly person: SalesforcePerson;
  readonly matching: MatchingSettings;
  /** Intercom contacts whose `external_id` is the person's identifier value. */
  readonly byExternalId: readonly IntercomContact[];
  /** Intercom contacts with the person's email. */
  readonly byEmail: readonly IntercomContact[];
  readonly linkedIntercomIds?: ReadonlySet<string>;
}

/** Finds the Intercom contact a Salesforce Lead or Contact matches. */
export function matchSalesforcePerson(input: SalesforceMatchInput): MatchDecision<IntercomContact> {
  const { person, matching } = input;
  if (person.type === 'Lead' && person.isConverted) {
    return { kind: 'unmatched', reason: 'converted_lead' };
  }
  const usable = (contact: IntercomContact) => !input.linkedIntercomIds?.has(contact.id);
  const pick = (candidates: readonly IntercomContact[], reason: MatchReason) => {
    const choice = chooseIntercomCandidate(candidates.filter(usable));
    return choice && matched(choice, reason);
  };
  const byEmail = () => input.byEmail.filter((c) => sameEmail(c.email, person.email));

  if (matching.mode === 'email') {
    if (isEmpty(person.email)) return { kind: 'unmatched', reason: 'no_email' };
    return pick(byEmail(), 'email') ?? { kind: 'unmatched', reason: 'no_candidates' };
  }
  const identifier = identifierOf(person, matching.identifierField);
  if (identifier !== null) {
    const found = pick(
      input.byExternalId.filter((c) => c.externalId?.trim() === identifier),
      'identifier',
    );
    if (found) return found;
  }
  if (!matching.emailFallback) {
    return { kind: 'unmatched', reason: identifier === null ? 'no_identifier' : 'no_candidates' };
  }
  if (isEmpty(person.email)) return { kind: 'unmatched', reason: 'no_email' };
  // The fallback is for people without a user_id: a contact with another user_id is someone else.
  const withoutUserId = byEmail().filter((c) => isEmpty(c.externalId));
  return pick(withoutUserId, 'email_fallback') ?? { kind: 'unmatched', reason: 'no_candidates' };
}

function matched<T>(
  choice: { chosen: T; rule: ChoiceRule; passedOver: readonly T[] },
  reason: MatchReason,
): MatchDecision<T> {
  return {
    kind: 'matched',
    record: choice.chosen,
    reason,
    rule: choice.rule,
    duplicates: choice.passedOver,
  };
}
