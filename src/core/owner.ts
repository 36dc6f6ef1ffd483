/**
 * Owner resolution (seed 004): the Salesforce account owner, else the contact owner, else the
 * lead owner, mapped to an Intercom teammate; otherwise the teammate who installed Tandem. An
 * account owner with no matching teammate clears the owner, even if the contact owner matches.
 */

export interface OwnerInput {
  readonly accountOwnerId: string | null;
  readonly contactOwnerId: string | null;
  readonly leadOwnerId: string | null;
  /** Salesforce user id → Intercom teammate (admin) id, matched by email. */
  readonly teammateBySalesforceUser: ReadonlyMap<string, string>;
  readonly installerTeammateId: string | null;
}

export const ownerRules = [
  'account_owner',
  'account_owner_unmatched_cleared',
  'contact_owner',
  'lead_owner',
  'installer_fallback',
] as const;
export type OwnerRule = (typeof ownerRules)[number];

export interface OwnerResolution {
  readonly teammateId: string | null;
  readonly rule: OwnerRule;
}

export function resolveOwner(input: OwnerInput): OwnerResolution {
  const teammate = (userId: string | null) =>
    userId === null ? undefined : input.teammateBySalesforceUser.get(userId);
  if (input.accountOwnerId !== null) {
    const id = teammate(input.accountOwnerId);
    return id === undefined
      ? { teammateId: null, rule: 'account_owner_unmatched_cleared' }
      : { teammateId: id, rule: 'account_owner' };
  }
  const contactOwner = teammate(input.contactOwnerId);
  if (contactOwner !== undefined) return { teammateId: contactOwner, rule: 'contact_owner' };
  const leadOwner = teammate(input.leadOwnerId);
  if (leadOwner !== undefined) return { teammateId: leadOwner, rule: 'lead_owner' };
  return { teammateId: input.installerTeammateId, rule: 'installer_fallback' };
}
