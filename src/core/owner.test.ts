import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveOwner, type OwnerRule } from './owner.ts';

const teammates = new Map([
  ['005A', 'admin-a'],
  ['005C', 'admin-c'],
  ['005L', 'admin-l'],
]);

describe('owner resolution (seed 004)', () => {
  const rows: [string, string | null, string | null, string | null, string | null, OwnerRule][] = [
    ['takes the account owner first', '005A', '005C', '005L', 'admin-a', 'account_owner'],
    [
      'clears the owner when the account owner has no teammate, even if the contact owner has one',
      '005X',
      '005C',
      null,
      null,
      'account_owner_unmatched_cleared',
    ],
    [
      'takes the contact owner when there is no account owner',
      null,
      '005C',
      '005L',
      'admin-c',
      'contact_owner',
    ],
    [
      'takes the lead owner when there is no account or contact owner',
      null,
      null,
      '005L',
      'admin-l',
      'lead_owner',
    ],
    [
      'takes the lead owner when the contact owner has no teammate',
      null,
      '005X',
      '005L',
      'admin-l',
      'lead_owner',
    ],
    [
      'falls back to the teammate who installed Tandem',
      null,
      null,
      '005X',
      'installer',
      'installer_fallback',
    ],
  ];
  for (const [name, accountOwnerId, contactOwnerId, leadOwnerId, teammateId, rule] of rows) {
    it(name, () => {
      const result = resolveOwner({
        accountOwnerId,
        contactOwnerId,
        leadOwnerId,
        teammateBySalesforceUser: teammates,
        installerTeammateId: 'installer',
      });
      assert.deepEqual(result, { teammateId, rule });
    });
  }
});
