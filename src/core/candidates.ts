/**
 * Choosing one record among several that match (seed 004): an Intercom user over a lead, a
 * Salesforce Contact over a Lead, and between two of the same kind the most recently updated.
 */
import type { IntercomContact } from './intercom.ts';
import { salesforceTime, type SalesforcePerson } from './salesforce.ts';

export const choiceRules = [
  'only_candidate',
  'user_over_lead',
  'contact_over_lead',
  'most_recently_updated',
] as const;
export type ChoiceRule = (typeof choiceRules)[number];

export interface CandidateChoice<T> {
  readonly chosen: T;
  readonly rule: ChoiceRule;
  /** The other candidates, reported as duplicate candidates in the ledger. */
  readonly passedOver: readonly T[];
}

export interface CandidateRanking<T> {
  readonly id: (candidate: T) => string;
  readonly preferred: (candidate: T) => boolean;
  readonly preferredRule: ChoiceRule;
  /** Milliseconds; larger is more recent. */
  readonly updatedAt: (candidate: T) => number;
}

/** Picks one candidate; ties on the update time go to the smaller id so the choice is stable. */
export function chooseCandidate<T>(
  candidates: readonly T[],
  ranking: CandidateRanking<T>,
): CandidateChoice<T> | undefined {
  if (candidates.length === 0) return undefined;
  const preferred = candidates.filter(ranking.preferred);
  const pool = preferred.length > 0 ? preferred : candidates;
  const time = (candidate: T) => {
    const value = ranking.updatedAt(candidate);
    return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value;
  };
  const sorted = [...pool].sort(
    (a, b) =>
      time(b) - time(a) ||
      (ranking.id(a) < ranking.id(b) ? -1 : ranking.id(a) > ranking.id(b) ? 1 : 0),
  );
  const chosen = sorted[0]!;
  const rule: ChoiceRule =
    candidates.length === 1
      ? 'only_candidate'
      : pool.length === 1 && preferred.length === 1
        ? ranking.preferredRule
        : 'most_recently_updated';
  return { chosen, rule, passedOver: candidates.filter((candidate) => candidate !== chosen) };
}

const salesforceRanking: CandidateRanking<SalesforcePerson> = {
  id: (person) => person.id,
  preferred: (person) => person.type === 'Contact',
  preferredRule: 'contact_over_lead',
  updatedAt: (person) => salesforceTime(person.lastModifiedDate),
};

const intercomRanking: CandidateRanking<IntercomContact> = {
  id: (contact) => contact.id,
  preferred: (contact) => contact.role === 'user',
  preferredRule: 'user_over_lead',
  updatedAt: (contact) => contact.updatedAt * 1000,
};

/** A Contact over a Lead; between two of the same kind, the most recently modified. */
export const chooseSalesforceCandidate = (
  candidates: readonly SalesforcePerson[],
): CandidateChoice<SalesforcePerson> | undefined => chooseCandidate(candidates, salesforceRanking);

/** A user over a lead; between two of the same kind, the most recently updated. */
export const chooseIntercomCandidate = (
  candidates: readonly IntercomContact[],
): CandidateChoice<IntercomContact> | undefined => chooseCandidate(candidates, intercomRanking);
