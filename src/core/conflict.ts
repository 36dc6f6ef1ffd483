/**
 * Conflict policy for `both` mappings: when both sides changed a field since the last sync,
 * the policy picks the winner and the conflict is recorded with both values and the rule.
 */
import type { ConflictPolicy } from './settings.ts';

export type Side = 'intercom' | 'salesforce';

export interface ConflictResolution {
  readonly winner: Side;
  /** The policy, and for `latest` which clue decided. */
  readonly rule: ConflictPolicy | 'latest_tie_salesforce';
}

/**
 * `latest` compares the records' update times (neither API dates single fields). On a tie
 * Salesforce wins: the CRM is the usual system of record, and the choice must be stable.
 */
export function resolveConflict(
  policy: ConflictPolicy,
  updatedAt: { readonly intercom: number; readonly salesforce: number },
): ConflictResolution {
  switch (policy) {
    case 'salesforce_wins':
      return { winner: 'salesforce', rule: policy };
    case 'intercom_wins':
      return { winner: 'intercom', rule: policy };
    case 'latest':
      if (updatedAt.intercom > updatedAt.salesforce) return { winner: 'intercom', rule: policy };
      if (updatedAt.salesforce > updatedAt.intercom) return { winner: 'salesforce', rule: policy };
      return { winner: 'salesforce', rule: 'latest_tie_salesforce' };
  }
}
