// Plays a workload against the emulators, as people using Intercom and Salesforce would, and
// reads both systems back as a snapshot keyed by email (ids and timestamps left out).
import { setTimeout as sleep } from 'node:timers/promises';
import type { IntercomEmulator } from '../../emulators/intercom/index.ts';
import type { SalesforceEmulator } from '../../emulators/salesforce/index.ts';
import { icControl, sfControl, type CrashWorld } from './harness.ts';
import type { IntercomPerson, Operation, SalesforcePerson, Workload } from './workload.ts';

/**
 * Someone editing Salesforce over the REST API (not as Tandem: no `Sforce-Call-Options`), who
 * logs in again when the session expires and tries again when a call fails.
 */
class SalesforceUser {
  readonly #sf: SalesforceEmulator;
  #token: string | undefined;
  /** Calls this user made to the token endpoint. */
  logins = 0;

  constructor(sf: SalesforceEmulator) {
    this.#sf = sf;
  }

  async #login(): Promise<string> {
    const c = this.#sf.credentials;
    for (let attempt = 1; ; attempt++) {
      this.logins++;
      const response = await fetch(`${this.#sf.url}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: c.clientId,
          client_secret: c.clientSecret,
          username: c.username,
          password: c.password,
        }),
      });
      if (response.ok) return ((await response.json()) as { access_token: string }).access_token;
      if (attempt >= 20) throw new Error(`Salesforce login: ${response.status}`);
      await sleep(100);
    }
  }

  async update(type: string, id: string, fields: Record<string, unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.#token ??= await this.#login();
      const response = await fetch(
        `${this.#sf.url}/services/data/v${this.#sf.credentials.apiVersion}/sobjects/${type}/${id}`,
        {
          method: 'PATCH',
          headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
          body: JSON.stringify(fields),
        },
      );
      if (response.ok) return;
      if (response.status === 401) this.#token = undefined;
      if (attempt >= 50) {
        throw new Error(
          `Salesforce update ${type} ${id}: ${response.status} ${await response.text()}`,
        );
      }
      await sleep(100);
    }
  }
}

interface SalesforceRow {
  readonly Id: string;
  readonly Email: string | null;
  readonly [field: string]: unknown;
}

async function salesforceRows(sf: SalesforceEmulator, object: string): Promise<SalesforceRow[]> {
  return ((await sfControl(sf, `records/${object}`)) as { records: SalesforceRow[] }).records;
}

/** The Salesforce record of a person, once it exists (a Contact first, as matching prefers). */
async function salesforceRecordOf(
  sf: SalesforceEmulator,
  email: string,
  timeoutMs: number,
): Promise<{ type: 'Lead' | 'Contact'; id: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const type of ['Contact', 'Lead'] as const) {
      const row = (await salesforceRows(sf, type)).find(
        (r) => r.Email?.toLowerCase() === email.toLowerCase(),
      );
      if (row) return { type, id: row.Id };
    }
    if (Date.now() > deadline) throw new Error(`no Salesforce record for ${email}`);
    await sleep(100);
  }
}

export interface DriveHooks {
  /** Called after each step, with the number of steps done so far. */
  readonly onStep?: (done: number) => void;
  /** How long a Salesforce edit waits for Tandem to create the person's Lead. */
  readonly recordTimeoutMs?: number;
}

/** Plays every person's steps in order, people side by side; answers the driver's own logins. */
export async function drive(
  world: CrashWorld,
  workload: Workload,
  hooks: DriveHooks = {},
): Promise<{ salesforceLogins: number }> {
  const salesforce = new SalesforceUser(world.sf);
  const intercomIds = new Map<number, string>();
  let done = 0;
  const apply = async (op: Operation) => {
    const person = workload.people[op.person];
    if (!person) throw new Error(`no person ${op.person}`);
    const ic = world.ic;
    const intercomId = () => {
      const id = intercomIds.get(op.person);
      if (id === undefined) throw new Error(`person ${op.person} edited before being created`);
      return id;
    };
    switch (op.kind) {
      case 'intercom.create': {
        const created = (await icControl(ic, 'contacts', {
          role: person.role,
          email: person.email,
          name: op.name,
          custom_attributes: { plan: op.plan, ...(op.region ? { region: op.region } : {}) },
        })) as { id: string };
        intercomIds.set(op.person, created.id);
        return;
      }
      case 'intercom.update':
        await icControl(ic, `contacts/${intercomId()}`, { name: op.name }, 'PUT');
        return;
      case 'intercom.plan':
        await icControl(
          ic,
          `contacts/${intercomId()}`,
          { custom_attributes: { plan: op.plan } },
          'PUT',
        );
        return;
      case 'intercom.region':
        await icControl(
          ic,
          `contacts/${intercomId()}`,
          { custom_attributes: { region: op.region } },
          'PUT',
        );
        return;
      case 'salesforce.phone':
      case 'salesforce.region': {
        const record = await salesforceRecordOf(
          world.sf,
          person.email,
          hooks.recordTimeoutMs ?? 120_000,
        );
        await salesforce.update(
          record.type,
          record.id,
          op.kind === 'salesforce.phone' ? { Phone: op.phone } : { Region__c: op.region },
        );
        return;
      }
    }
  };
  await Promise.all(
    workload.lanes.map(async (lane) => {
      for (const step of lane) {
        await sleep(step.delayMs);
        await apply(step.op);
        done++;
        hooks.onStep?.(done);
      }
    }),
  );
  return { salesforceLogins: salesforce.logins };
}

export interface Snapshot {
  readonly intercom: Readonly<Record<string, IntercomPerson>>;
  /** Salesforce Leads and Contacts by lower-case email; several records of one email are a duplicate. */
  readonly salesforce: Readonly<Record<string, readonly SalesforcePerson[]>>;
}

const text = (value: unknown): string | null =>
  value === undefined || value === null || value === '' ? null : String(value);

/** Both systems' people, by email, without ids or timestamps. */
export async function snapshot(world: {
  sf: SalesforceEmulator;
  ic: IntercomEmulator;
}): Promise<Snapshot> {
  const contacts = (
    (await icControl(world.ic, 'contacts')) as {
      data: {
        id: string;
        email: string | null;
        role: string;
        name: string | null;
        phone: string | null;
        archived?: boolean;
        custom_attributes?: Record<string, unknown>;
      }[];
    }
  ).data;
  const emailById = new Map(contacts.map((c) => [c.id, c.email ?? `(no email) ${c.id}`]));
  const intercom: Record<string, IntercomPerson> = {};
  for (const contact of contacts) {
    if (contact.archived) continue;
    intercom[(contact.email ?? contact.id).toLowerCase()] = {
      role: contact.role,
      name: text(contact.name),
      phone: text(contact.phone),
      plan: text(contact.custom_attributes?.['plan']),
      region: text(contact.custom_attributes?.['region']),
    };
  }
  const salesforce: Record<string, SalesforcePerson[]> = {};
  for (const type of ['Lead', 'Contact'] as const) {
    for (const row of await salesforceRows(world.sf, type)) {
      const key = (row.Email ?? `(no email) ${row.Id}`).toLowerCase();
      const intercomId = text(row['Intercom_Id__c']);
      (salesforce[key] ??= []).push({
        type,
        LastName: text(row['LastName']),
        Company: type === 'Lead' ? text(row['Company']) : null,
        Phone: text(row['Phone']),
        Plan__c: text(row['Plan__c']),
        Region__c: text(row['Region__c']),
        Intercom_Id__c:
          intercomId === null ? null : (emailById.get(intercomId) ?? `(unknown) ${intercomId}`),
      });
    }
  }
  for (const records of Object.values(salesforce))
    records.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { intercom: sortKeys(intercom), salesforce: sortKeys(salesforce) };
}

const sortKeys = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/** Emails held by more than one Salesforce Lead or Contact. */
export const duplicates = (snap: Snapshot): string[] =>
  Object.entries(snap.salesforce)
    .filter(([, records]) => records.length > 1)
    .map(([email]) => email);
