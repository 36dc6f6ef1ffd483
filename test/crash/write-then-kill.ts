// A deterministic crash: Tandem is SIGKILLed while its Salesforce write is on the way, the write
// lands, and the person edits Intercom again before Tandem is back. Used by live-kill.test.ts
// to pin the moment the random kills only sometimes hit.
import { setTimeout as sleep } from 'node:timers/promises';
import { snapshot, type Snapshot } from './drive.ts';
import { icControl, settle, sfControl, startCrashWorld } from './harness.ts';
import { crashSettings, type Person } from './workload.ts';

const person: Person = {
  index: 0,
  email: 'wren@write-then-kill.test',
  role: 'lead',
  existingContact: undefined,
  regionOwner: 'intercom',
};

async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Region EMEA is synced; the person sets LATAM in Intercom; Tandem's Salesforce write of LATAM
 * is held 2 s by the emulator and Tandem is killed meanwhile; the write lands; the person sets
 * EMEA again in Intercom; Tandem starts again. Answers both systems once Tandem has caught up:
 * EMEA on both sides is right (the person's last edit).
 */
export async function writeThenKill(): Promise<Snapshot> {
  const world = await startCrashWorld({ seed: 1, people: [person], settings: crashSettings });
  try {
    const region = async () => {
      const leads = (await sfControl(world.sf, 'records/Lead')) as {
        records: { Email: string; Region__c: string | null }[];
      };
      return leads.records.find((r) => r.Email === person.email)?.Region__c ?? null;
    };
    const contact = (await icControl(world.ic, 'contacts', {
      role: 'lead',
      email: person.email,
      name: 'Wren Writer',
      custom_attributes: { region: 'EMEA' },
    })) as { id: string };
    await waitFor('the Lead with region EMEA', async () => (await region()) === 'EMEA');
    await settle(world, { quietMs: 2000, sinceStartMs: 0 });

    await sfControl(world.sf, 'faults', {
      method: 'PATCH',
      path: '/services/data/*/composite/sobjects',
      latencyMs: 2000,
      times: 1,
    });
    await icControl(
      world.ic,
      `contacts/${contact.id}`,
      { custom_attributes: { region: 'LATAM' } },
      'PUT',
    );
    await waitFor('Tandem’s Salesforce write to be on the way', async () => {
      const faults = (await sfControl(world.sf, 'faults')) as { faults: { hits: number }[] };
      return (faults.faults[0]?.hits ?? 0) > 0;
    });
    await world.tandem.kill();
    await waitFor('the write to land', async () => (await region()) === 'LATAM', 10_000);
    await icControl(
      world.ic,
      `contacts/${contact.id}`,
      { custom_attributes: { region: 'EMEA' } },
      'PUT',
    );
    await world.tandem.start();
    await settle(world);
    return await snapshot(world);
  } finally {
    await world.close();
  }
}
