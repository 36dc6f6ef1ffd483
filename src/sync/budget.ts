// The API budget governor (issue 6, docs/budget.md): keeps the latest Salesforce usage reading,
// lets a job call Salesforce only when its lane is not paused, and writes `budget.paused` /
// `budget.resumed` to the ledger once per change of what is paused, not once per job.
import {
  decideBudget,
  type BudgetDecision,
  type BudgetLane,
  type BudgetReading,
  type BudgetSettings,
} from '../core/index.ts';
import { RetryAfterError } from '../queue/index.ts';
import type { EventsRepository } from '../store/index.ts';

export interface BudgetStatus extends BudgetDecision {
  readonly settings: BudgetSettings;
  /** The latest reading, undefined before the first Salesforce call. */
  readonly usage: (BudgetReading & { readonly observedAt: number }) | undefined;
}

export interface BudgetTracker {
  /** Feeds a usage reading (the connector's `usage()` after its calls); undefined is ignored. */
  observe(reading: (BudgetReading & { readonly observedAt?: number }) | undefined): void;
  /**
   * Resolves when a job of this lane may call Salesforce; otherwise throws a RetryAfterError
   * that postpones the job by the re-check interval.
   */
  admit(lane: BudgetLane): Promise<void>;
  status(): BudgetStatus;
}

export interface BudgetTrackerDeps {
  readonly settings: BudgetSettings;
  readonly events: EventsRepository;
  readonly now?: () => number;
}

export function createBudgetTracker(deps: BudgetTrackerDeps): BudgetTracker {
  const now = deps.now ?? Date.now;
  let usage: BudgetStatus['usage'];
  /** The paused lanes last written to the ledger ('' for none). */
  let recorded = '';

  const decide = () => decideBudget(usage, deps.settings);

  return {
    observe(reading) {
      if (reading === undefined) return;
      const observedAt = reading.observedAt ?? now();
      // Readings of calls running together may arrive out of order: the newest wins.
      if (usage !== undefined && observedAt < usage.observedAt) return;
      usage = { used: reading.used, max: reading.max, observedAt };
    },
    async admit(lane) {
      const decision = decide();
      const key = decision.paused.join(',');
      if (key !== recorded) {
        recorded = key; // before the write, so jobs running together record it once
        await deps.events.append({
          kind: decision.paused.length > 0 ? 'budget.paused' : 'budget.resumed',
          subject: 'salesforce',
          data: {
            level: decision.level,
            paused: decision.paused,
            used: usage?.used ?? null,
            max: usage?.max ?? null,
            share: decision.share,
            percentOfShare: Math.round(decision.percentOfShare * 10) / 10,
          },
        });
      }
      if (decision.paused.includes(lane))
        throw new RetryAfterError(
          `Salesforce API budget: ${lane} work is paused at ${decision.percentOfShare.toFixed(1)}% of Tandem's share (${usage?.used ?? 0} of ${decision.share} calls)`,
          decision.retryAfterMs,
        );
    },
    status: () => ({ ...decide(), settings: deps.settings, usage }),
  };
}
