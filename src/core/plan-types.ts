/** The shapes of a people-sync plan and of the per-link state it reads and produces. */
import type { ConflictResolution } from './conflict.ts';
import type { FallbackSource } from './fallbacks.ts';
import type { IntercomContact, IntercomDataAttribute } from './intercom.ts';
import type { SalesforceDescribe, SalesforcePerson } from './salesforce.ts';
import type { AttributeMapping, SyncSettings } from './settings.ts';
import type { SyncValue } from './values.ts';

/** What Tandem knows about one side of a link after its last sync. */
export interface SideState {
  /** `valuesHash` of that side's mapped values. */
  readonly hash: string;
  /** Whether Tandem wrote those values (so seeing them again is an echo). */
  readonly written: boolean;
}

/** Per link: the values both sides agreed on, and the hash of each side's mapped values. */
export interface LinkSyncState {
  /** By Salesforce field: the agreed value, in the mapping's comparison form. */
  readonly baseline: Readonly<Record<string, SyncValue>>;
  readonly intercom: SideState | null;
  readonly salesforce: SideState | null;
}

export type Trigger = 'intercom' | 'salesforce' | 'reconcile';

export interface PlanInput {
  readonly settings: SyncSettings;
  readonly describe: SalesforceDescribe;
  readonly intercomAttributes: readonly IntercomDataAttribute[];
  readonly intercom: IntercomContact | null;
  /** The linked (or matched) Lead or Contact; null when there is none. */
  readonly salesforce: SalesforcePerson | null;
  readonly state: LinkSyncState | null;
  readonly trigger: Trigger;
}

export const skipReasons = [
  'threshold',
  'lead_creation_disabled',
  'not_matchable',
  'no_counterpart',
  'converted_lead',
  'source_empty',
  'destination_has_value',
  'no_change',
  'echo',
  'unconvertible',
  'picklist_value_rejected',
  'mapping_invalid',
] as const;
export type SkipReason = (typeof skipReasons)[number];

export interface Skip {
  readonly reason: SkipReason;
  readonly mapping: AttributeMapping | null;
  readonly detail: string;
}

export interface FieldChange {
  readonly mapping: AttributeMapping;
  /** Salesforce field or Intercom attribute (full name) written. */
  readonly field: string;
  readonly old: SyncValue;
  readonly new: SyncValue;
  /** Set when a required-field fallback supplied the value. */
  readonly fallback?: FallbackSource;
}

export interface ConflictRecord {
  readonly mapping: AttributeMapping;
  readonly intercomValue: SyncValue;
  readonly salesforceValue: SyncValue;
  readonly winner: ConflictResolution['winner'];
  readonly rule: ConflictResolution['rule'];
}

export interface LeadCreation {
  readonly fields: Readonly<Record<string, SyncValue>>;
  readonly fallbacks: readonly { readonly field: string; readonly source: FallbackSource }[];
}

export interface PersonPlan {
  readonly createLead: LeadCreation | null;
  readonly salesforceUpdates: readonly FieldChange[];
  readonly intercomUpdates: readonly FieldChange[];
  readonly skips: readonly Skip[];
  readonly conflicts: readonly ConflictRecord[];
  /** What to store once the plan is applied; null when nothing is to be stored. */
  readonly nextState: LinkSyncState | null;
}
