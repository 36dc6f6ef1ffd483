// What every emulated org has, whatever the seed: the admin user the credentials log in as, and
// the record types the recorded describes mention (Account's "Household").
import { makeId } from '../ids.ts';
import type { Org } from '../org.ts';
import { formatDateTime } from '../store/values.ts';
import type { Writer } from '../write/writer.ts';
import { transact } from '../context.ts';

/** 2026-01-01T00:00:00Z: base and demo records carry fixed timestamps so two seeds are identical. */
export const seedEpochMs = 1_767_225_600_000;

export const adminUserId = makeId('005', 1);
export const standardProfileId = makeId('00e', 1);

export function seedBase(org: Org, writer: Writer, username: string): void {
  const stamp = formatDateTime(seedEpochMs);
  const result = transact(org, (tx) =>
    writer.create(
      tx,
      { userId: adminUserId, origin: 'seed' },
      'User',
      {
        Username: username,
        FirstName: 'Ada',
        LastName: 'Admin',
        Email: 'ada.admin@tandem-demo.example',
        Alias: 'aadmin',
        CommunityNickname: 'ada.admin',
        TimeZoneSidKey: 'GMT',
        LocaleSidKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
        ProfileId: standardProfileId,
        IsActive: true,
        CreatedDate: stamp,
        LastModifiedDate: stamp,
      },
      { trusted: true, silent: true },
    ),
  );
  if (!result.ok || result.id !== adminUserId)
    throw new Error(`base seed: admin user: ${JSON.stringify(result)}`);
  // Record types named by recorded describes exist as RecordType records with their recorded ids.
  const recordTypes = org.table('RecordType');
  for (const type of org.schema.all()) {
    for (const rt of type.recordTypes) {
      if (rt.master || !recordTypes || recordTypes.get(rt.id)) continue;
      recordTypes.insert(rt.id, {
        Id: rt.id,
        IsDeleted: false,
        Name: rt.name,
        DeveloperName: rt.developerName,
        SobjectType: type.name,
        IsActive: true,
        CreatedDate: stamp,
        CreatedById: adminUserId,
        LastModifiedDate: stamp,
        LastModifiedById: adminUserId,
        SystemModstamp: stamp,
      });
    }
  }
}
