// A backfill world: the people-sync world (both emulators, a SQLite store) with drifted data —
// Intercom leads of which some already exist in Salesforce under the same email, and Salesforce
// people Intercom never heard of — and the `backfill.run` handler called as the engine calls it.
import { unwrap } from '../../src/connectors/index.ts';
import {
  backfillService,
  createBackfillRunner,
  type BackfillRunnerDeps,
  type BackfillSummary,
} from '../../src/backfill/index.ts';
import type { JobPayload } from '../../src/queue/index.ts';
import type { Backfill } from '../../src/store/index.ts';
import { job, startSyncWorld, type SyncWorld } from '../sync/support.ts';

export interface BackfillWorld extends SyncWorld {
  /** Jobs the backfill queued (its own, and people handed to live sync). */
  readonly queued: { task: string; payload: JobPayload }[];
  /** Starts a backfill and runs its job until it ends (or `attempts` attempts threw). */
  backfill(
    options?: Partial<Pick<BackfillRunnerDeps, 'bulkThreshold' | 'chunkSize' | 'admitBulk'>> & {
      direction?: 'to_salesforce' | 'to_intercom' | 'both';
      attempts?: number;
    },
  ): Promise<{ backfill: Backfill; summary: BackfillSummary | null; errors: unknown[] }>;
  /** Runs the job of an existing backfill once more (a restart). */
  resume(
    id: number,
    options?: Partial<Pick<BackfillRunnerDeps, 'bulkThreshold' | 'chunkSize' | 'admitBulk'>>,
  ): Promise<Backfill>;
}

export const people = { intercomOnly: 60, both: 30, salesforceOnly: 15 } as const;

const email = (n: number) => `person${String(n).padStart(4, '0')}@drift.test`;

export async function startBackfillWorld(): Promise<BackfillWorld> {
  const world = (await startSyncWorld()) as BackfillWorld;
  await world.setSettings({
    matching: { mode: 'email' },
    mappings: {
      Lead: [
        { intercom: 'custom_attributes.plan', salesforce: 'Plan__c', direction: 'to_salesforce' },
      ],
      Contact: [
        { intercom: 'custom_attributes.region', salesforce: 'Plan__c', direction: 'to_intercom' },
      ],
    },
  });
  // Intercom leads: the first `intercomOnly` exist only in Intercom; the next `both` also as
  // Salesforce Contacts with the same email (and a value Intercom lacks).
  const total = people.intercomOnly + people.both;
  for (let n = 0; n < total; n += 1)
    unwrap(
      await world.intercom.createContact({
        role: 'lead',
        email: email(n),
        name: `Person ${n}`,
        custom_attributes: { plan: `p${n % 7}` },
      }),
    );
  const contacts = Array.from({ length: people.both }, (_, i) => ({
    LastName: `Person ${people.intercomOnly + i}`,
    Email: email(people.intercomOnly + i),
    Plan__c: `r${i % 5}`,
  }));
  const leads = Array.from({ length: people.salesforceOnly }, (_, i) => ({
    LastName: `Only ${i}`,
    Company: 'Drift Inc',
    Email: `only${i}@crm.test`,
  }));
  for (const result of await world.salesforceUser.create('Contact', contacts)) unwrap(result);
  for (const result of await world.salesforceUser.create('Lead', leads)) unwrap(result);

  const queued: BackfillWorld['queued'] = [];
  const jobs = {
    add: (task: string, payload: JobPayload) => {
      queued.push({ task, payload });
      return Promise.resolve({ id: String(queued.length) });
    },
  };
  const runner = (
    options: Partial<Pick<BackfillRunnerDeps, 'bulkThreshold' | 'chunkSize' | 'admitBulk'>> = {},
  ) =>
    createBackfillRunner({
      store: world.store,
      jobs,
      openConnections: async () => world.connections,
      bulkThreshold: options.bulkThreshold ?? 1_000_000,
      chunkSize: options.chunkSize ?? 25,
      ...(options.admitBulk ? { admitBulk: options.admitBulk } : {}),
    });
  Object.assign(world, {
    queued,
    async resume(id: number, options = {}) {
      await runner(options).task({ backfillId: id }, job('backfill.run', 2));
      return (await world.store.backfills.get(id))!;
    },
    async backfill(options: Parameters<BackfillWorld['backfill']>[0] = {}) {
      const service = backfillService({ backfills: world.store.backfills, jobs });
      const { backfill } = await service.start({
        direction: options.direction ?? 'both',
        objects: ['Lead', 'Contact'],
      });
      const task = runner(options).task;
      const errors: unknown[] = [];
      for (let attempt = 1; attempt <= (options.attempts ?? 1); attempt += 1) {
        try {
          await task({ backfillId: backfill.id }, job('backfill.run', attempt));
          break;
        } catch (error) {
          errors.push(error);
        }
      }
      const ended = (await world.store.backfills.get(backfill.id))!;
      return { backfill: ended, summary: service.summary(ended), errors };
    },
  } satisfies Pick<BackfillWorld, 'queued' | 'resume' | 'backfill'>);
  return world;
}

export { email };
