// What `tandem plan` plans with: the settings, both connections opened read-only, the describes
// and data attributes. Nothing here writes: refreshed tokens are not stored (a plan is a short
// run; the next sync logs in again), and Intercom attributes a mapping would create are not
// created (their mappings plan as `mapping_invalid`).
import { personObjects, type SalesforceDescribe } from '../core/index.ts';
import type { CredentialsRepository, LinksRepository } from '../store/index.ts';
import {
  openIntercom,
  openSalesforce,
  type ConnectionStore,
  type ConnectorFactories,
} from './connections.ts';
import {
  toIntercomDataAttribute,
  toSalesforceObjectDescribe,
  type RawDescribe,
} from './mappers.ts';
import { must } from './person-errors.ts';
import { readOnlyIntercom, readOnlySalesforce, type PlanContext } from './plan.ts';
import { readSyncSettings } from './settings-service.ts';

export type PlanContextResult =
  | { readonly ok: true; readonly context: PlanContext }
  | { readonly ok: false; readonly problem: string };

/** Credentials that can be read and never written. */
const readOnlyCredentials = (credentials: CredentialsRepository): CredentialsRepository => ({
  get: (name) => credentials.get(name),
  names: () => credentials.names(),
  unreadable: () => credentials.unreadable(),
  put: async () => {},
  remove: async () => {},
});

export async function openPlanContext(
  store: ConnectionStore & {
    readonly links: Pick<LinksRepository, 'findByIntercomId' | 'findBySalesforceId'>;
  },
  factories: ConnectorFactories,
): Promise<PlanContextResult> {
  const current = await readSyncSettings(store.settings);
  if (!current.ok)
    return {
      ok: false,
      problem: `the settings are invalid: ${current.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    };
  const connectionStore = {
    settings: store.settings,
    credentials: readOnlyCredentials(store.credentials),
  };
  const [sf, ic] = await Promise.all([
    openSalesforce(connectionStore, factories),
    openIntercom(connectionStore, factories),
  ]);
  if (!sf || !ic) {
    const missing = [...(sf ? [] : ['salesforce']), ...(ic ? [] : ['intercom'])];
    return {
      ok: false,
      problem: `not connected: ${missing.map((s) => `tandem connect ${s}`).join(', ')}`,
    };
  }
  const salesforce = readOnlySalesforce(sf.connector);
  const intercom = readOnlyIntercom(ic.connector);
  const [lead, contact] = await Promise.all(
    personObjects.map(async (object) =>
      toSalesforceObjectDescribe(
        object,
        must('describe', await salesforce.describe(object)) as unknown as RawDescribe,
      ),
    ),
  );
  const describe: SalesforceDescribe = { Lead: lead!, Contact: contact! };
  const attributes = must('read_attributes', await intercom.listDataAttributes('contact'));
  return {
    ok: true,
    context: {
      settings: current.settings,
      salesforce,
      intercom,
      describe,
      intercomAttributes: attributes.map(toIntercomDataAttribute),
      links: store.links,
    },
  };
}
