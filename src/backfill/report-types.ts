export interface BackfillProgress {
  readonly id: number;
  readonly status: 'running' | 'completed' | 'failed' | 'cancelled';
  /** staging_salesforce | staging_intercom | from_intercom | from_salesforce | finishing | done */
  readonly phase: string;
  readonly direction: 'to_salesforce' | 'to_intercom' | 'both';
  readonly objects: readonly ('Lead' | 'Contact')[];
  /** Records to go through, once known. */
  readonly total: number | null;
  readonly done: number;
  readonly errors: number;
  readonly startedAt: number; // epoch ms
  readonly updatedAt: number;
  readonly finishedAt: number | null;
}

export interface BackfillSummary {
  readonly id: number;
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly direction: BackfillProgress['direction'];
  readonly objects: BackfillProgress['objects'];
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly read: { readonly intercom: number; readonly salesforce: number };
  readonly counts: {
    readonly matched: number;
    readonly alreadyLinked: number;
    readonly leadsCreated: number;
    readonly salesforceUpdated: number;
    readonly intercomUpdated: number;
    readonly unchanged: number;
    readonly conflicts: number;
    readonly duplicateCandidates: number;
    readonly failed: number;
    readonly handedToLiveSync: number;
  };
  readonly skipped: Readonly<Record<string, number>>; // reason -> count
  readonly apiCalls: { readonly salesforce: number; readonly intercom: number };
  readonly error?: string; // when failed
}
