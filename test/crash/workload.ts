// A deterministic people workload for the crash and fault suites: from a seed, who exists in
// Salesforce before Tandem starts, and the edits people then make in Intercom (created and
// edited "in the Intercom UI", so the emulator delivers signed webhooks) and in Salesforce
// (edited over the REST API by someone other than Tandem, so change capture sees them).
//
// Every synced field has one writer per person, so the final state does not depend on timing:
// it is what the workload says, whatever Tandem went through on the way (`expectedState`).

import type { SettingsInput } from '../../src/core/index.ts';

/** mulberry32: a small seeded generator, so that a run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

const firstNames = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Ken',
  'Radia',
  'Donald',
  'Frances',
  'Tim',
];
const lastNames = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Thompson',
  'Perlman',
  'Knuth',
  'Allen',
  'Berners',
];
const plans = ['free', 'starter', 'pro', 'team', 'scale', 'enterprise'];
const regions = ['EMEA', 'AMER', 'APAC', 'LATAM', 'ANZ'];

export interface Person {
  readonly index: number;
  readonly email: string;
  readonly role: 'user' | 'lead';
  /** A Salesforce Contact with this email exists before Tandem starts (the person links to it). */
  readonly existingContact: { readonly lastName: string } | undefined;
  /** Which side edits the `region` field (mapped both ways); the other side never does. */
  readonly regionOwner: 'intercom' | 'salesforce';
}

export type Operation =
  | {
      readonly kind: 'intercom.create';
      readonly person: number;
      readonly name: string;
      readonly plan: string;
      readonly region: string | undefined;
    }
  | { readonly kind: 'intercom.update'; readonly person: number; readonly name: string }
  | { readonly kind: 'intercom.plan'; readonly person: number; readonly plan: string }
  | { readonly kind: 'intercom.region'; readonly person: number; readonly region: string }
  | { readonly kind: 'salesforce.phone'; readonly person: number; readonly phone: string }
  | { readonly kind: 'salesforce.region'; readonly person: number; readonly region: string };

export interface Step {
  /** Pause before the step, so that steps and Tandem's work interleave. */
  readonly delayMs: number;
  readonly op: Operation;
}

export interface Workload {
  readonly seed: number;
  readonly people: readonly Person[];
  /** Each person's steps, in order; people run side by side. */
  readonly lanes: readonly (readonly Step[])[];
}

export interface WorkloadSize {
  readonly people: number;
  /** Edits per person after its creation (a few more or less, per person). */
  readonly editsPerPerson: number;
  /** Longest pause between two steps of one person. */
  readonly maxDelayMs: number;
}

export const smallWorkload: WorkloadSize = { people: 10, editsPerPerson: 4, maxDelayMs: 600 };

export function makeWorkload(seed: number, size: WorkloadSize = smallWorkload): Workload {
  const random = seededRandom(seed);
  const name = () => `${pick(random, firstNames)} ${pick(random, lastNames)}`;
  const people: Person[] = [];
  const lanes: Step[][] = [];
  for (let index = 0; index < size.people; index++) {
    const existing = random() < 0.3;
    const person: Person = {
      index,
      email: `p${index}.s${seed}@crash.test`,
      role: existing || random() < 0.5 ? 'user' : 'lead',
      existingContact: existing ? { lastName: pick(random, lastNames) } : undefined,
      regionOwner: random() < 0.5 ? 'intercom' : 'salesforce',
    };
    people.push(person);
    const delay = () => Math.floor(random() * size.maxDelayMs);
    const steps: Step[] = [
      {
        delayMs: delay(),
        op: {
          kind: 'intercom.create',
          person: index,
          name: name(),
          plan: pick(random, plans),
          region: person.regionOwner === 'intercom' ? pick(random, regions) : undefined,
        },
      },
    ];
    const edits = Math.max(1, size.editsPerPerson + Math.floor(random() * 3) - 1);
    for (let n = 0; n < edits; n++) {
      const kinds = [
        'intercom.update',
        'intercom.plan',
        'salesforce.phone',
        person.regionOwner === 'intercom' ? 'intercom.region' : 'salesforce.region',
      ] as const;
      const kind = pick(random, kinds);
      const op: Operation =
        kind === 'intercom.update'
          ? { kind, person: index, name: name() }
          : kind === 'intercom.plan'
            ? { kind, person: index, plan: pick(random, plans) }
            : kind === 'salesforce.phone'
              ? {
                  kind,
                  person: index,
                  phone: `+1 555 ${String(Math.floor(random() * 10_000)).padStart(4, '0')}`,
                }
              : { kind, person: index, region: pick(random, regions) };
      steps.push({ delayMs: delay(), op });
    }
    lanes.push(steps);
  }
  return { seed, people, lanes };
}

export const operationCount = (workload: Workload): number =>
  workload.lanes.reduce((sum, lane) => sum + lane.length, 0);

/** One person as the snapshot shows it on each side (ids and timestamps left out). */
export interface IntercomPerson {
  readonly role: string;
  readonly name: string | null;
  readonly phone: string | null;
  readonly plan: string | null;
  readonly region: string | null;
}

export interface SalesforcePerson {
  readonly type: 'Lead' | 'Contact';
  readonly LastName: string | null;
  readonly Company: string | null;
  readonly Phone: string | null;
  readonly Plan__c: string | null;
  readonly Region__c: string | null;
  /** The email of the Intercom contact whose id the record carries (external-ID field). */
  readonly Intercom_Id__c: string | null;
}

export interface Expected {
  readonly intercom: Readonly<Record<string, Partial<IntercomPerson>>>;
  readonly salesforce: Readonly<Record<string, Partial<SalesforcePerson>>>;
}

/**
 * What both systems must hold once Tandem has caught up: every edit of the workload, the last
 * one of each field winning, carried to the other side by the mappings of `crashSettings`.
 */
export function expectedState(workload: Workload): Expected {
  const intercom: Record<string, Partial<IntercomPerson>> = {};
  const salesforce: Record<string, Partial<SalesforcePerson>> = {};
  for (const person of workload.people) {
    let name: string | null = null;
    let plan: string | null = null;
    let phone: string | null = null;
    let region: string | null = null;
    for (const { op } of workload.lanes[person.index] ?? []) {
      if (op.kind === 'intercom.create') {
        name = op.name;
        plan = op.plan;
        region = op.region ?? null;
      } else if (op.kind === 'intercom.update') name = op.name;
      else if (op.kind === 'intercom.plan') plan = op.plan;
      else if (op.kind === 'salesforce.phone') phone = op.phone;
      else region = op.region;
    }
    intercom[person.email] = { role: person.role, name, phone, plan, region };
    salesforce[person.email] = person.existingContact
      ? {
          type: 'Contact',
          LastName: person.existingContact.lastName,
          Phone: phone,
          Plan__c: plan,
          Region__c: region,
        }
      : {
          type: 'Lead',
          LastName: name,
          Company: '[not provided]',
          Phone: phone,
          Plan__c: plan,
          Region__c: region,
          Intercom_Id__c: person.email,
        };
  }
  return { intercom, salesforce };
}

/**
 * The sync settings the suites run with: matching on email, a Lead for every Intercom person,
 * the Intercom id in `Intercom_Id__c`, and one field of each direction plus one both ways.
 */
export const crashSettings: SettingsInput = {
  matching: { mode: 'email' },
  externalIdField: 'Intercom_Id__c',
  mappings: {
    Lead: [
      { intercom: 'name', salesforce: 'LastName', direction: 'to_salesforce' },
      { intercom: 'company.name', salesforce: 'Company', direction: 'to_salesforce' },
      { intercom: 'email', salesforce: 'Email', direction: 'to_salesforce' },
      { intercom: 'custom_attributes.plan', salesforce: 'Plan__c', direction: 'to_salesforce' },
      { intercom: 'phone', salesforce: 'Phone', direction: 'to_intercom' },
      {
        intercom: 'custom_attributes.region',
        salesforce: 'Region__c',
        direction: 'both',
        conflictPolicy: 'latest',
      },
    ],
    Contact: [
      { intercom: 'email', salesforce: 'Email', direction: 'to_salesforce' },
      { intercom: 'custom_attributes.plan', salesforce: 'Plan__c', direction: 'to_salesforce' },
      { intercom: 'phone', salesforce: 'Phone', direction: 'to_intercom' },
      {
        intercom: 'custom_attributes.region',
        salesforce: 'Region__c',
        direction: 'both',
        conflictPolicy: 'latest',
      },
    ],
  },
};
