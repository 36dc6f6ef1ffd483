// The API budget governor (issue 6, docs/budget.md): keeps the latest Salesforce usage reading,
// lets work call Salesforce only when its lane is not paused, and writes `budget.paused` /
// `budget.resumed` to the ledger once per change of what is paused, not once per job.
//
// Three ways in: a job asks `admit(lane)` (a paused lane postpones the job without spending an
// attempt); a long-running caller (a backfill) awaits `waitForLane(lane, signal)`; and the
// Salesforce connector's `beforeCall` hook (`budgetedSalesforce`) makes every call wait while
// the whole share is spent. A paused lane learns that usage dropped from a fresh `/limits`
// reading (`readUsage`), taken at most once per re-check interval however many wait.
import {
  budgetRecheckMs,
  decideBudget,
  type BudgetDecision,
  type BudgetLane,
  type BudgetReading,
  type BudgetSettings,
} from '../core/index.ts';
import type { SalesforceConnector, SalesforceConnectorOptions } from '../connectors/index.ts';
import { PostponeError } from '../queue/index.ts';
import type { EventsRepository } from '../store/index.ts';

export type TimedReading = BudgetReading & { readonly observedAt?: number };

export interface BudgetStatus extends BudgetDecision {
  readonly settings: BudgetSettings;
  /** The latest reading, undefined before the first Salesforce call. */
  readonly usage: (BudgetReading & { readonly observedAt: number }) | undefined;
}

export interface BudgetTracker {
  /** Feeds a usage reading (the connector's `usage()` after its calls); undefined is ignored. */
  observe(reading: TimedReading | undefined): void;
  /**
   * Whether work of this lane may call Salesforce now. When the lane is paused and the reading
   * is older than the re-check interval, reads the usage afresh first (so work paused on an old
   * reading resumes once the window has freed).
   */
  check(lane: BudgetLane): Promise<boolean>;
  /**
   * Resolves when a job of this lane may call Salesforce; otherwise throws a PostponeError that
   * postpones the job by the re-check interval without spending one of its attempts.
   */
  admit(lane: BudgetLane): Promise<void>;
  /**
   * Resolves when work of this lane may call Salesforce, re-reading the usage every re-check
   * interval (and at once on any newer reading); rejects with the signal's reason when it aborts.
   */
  waitForLane(lane: BudgetLane, signal?: AbortSignal): Promise<void>;
  status(): BudgetStatus;
}

export interface BudgetTrackerDeps {
  readonly settings: BudgetSettings;
  readonly events: EventsRepository;
  readonly now?: () => number;
  /**
   * A fresh reading of the org's usage (`/limits`; it must not wait on the budget itself).
   * Without it, paused work re-checks only the readings other calls bring.
   */
  readonly readUsage?: () => Promise<TimedReading | undefined>;
  /** How long paused work waits before looking again. Default budgetRecheckMs (5 min). */
  readonly recheckMs?: number;
}

export function createBudgetTracker(deps: BudgetTrackerDeps): BudgetTracker {
  const now = deps.now ?? Date.now;
  const recheckMs = deps.recheckMs ?? budgetRecheckMs;
  let usage: BudgetStatus['usage'];
  /** The paused lanes last written to the ledger ('' for none). */
  let recorded = '';
  let refreshing: Promise<void> | undefined;
  /** Wakes the waiters when a reading arrives. */
  let wake = signalled();

  const decide = () => decideBudget(usage, deps.settings);

  const observe = (reading: TimedReading | undefined): void => {
    if (reading === undefined) return;
    const observedAt = reading.observedAt ?? now();
    // Readings of calls running together may arrive out of order: the newest wins.
    if (usage !== undefined && observedAt < usage.observedAt) return;
    usage = { used: reading.used, max: reading.max, observedAt };
    const woken = wake;
    wake = signalled();
    woken.fire();
  };

  /** One `/limits` read at a time, however many lanes wait; a failed read keeps the old one. */
  const refresh = (): Promise<void> => {
    const read = deps.readUsage;
    if (read === undefined) return Promise.resolve();
    // Another waiter's read within half the interval will do.
    if (usage !== undefined && now() - usage.observedAt < recheckMs / 2) return Promise.resolve();
    refreshing ??= read()
      .then(observe, () => {})
      .finally(() => (refreshing = undefined));
    return refreshing;
  };

  const record = async (decision: BudgetDecision): Promise<void> => {
    const key = decision.paused.join(',');
    if (key === recorded) return;
    recorded = key; // before the write, so work running together records it once
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
  };

  const check = async (lane: BudgetLane): Promise<boolean> => {
    if (decide().paused.includes(lane)) await refresh();
    const decision = decide();
    await record(decision);
    return !decision.paused.includes(lane);
  };

  return {
    observe,
    check,
    async admit(lane) {
      if (await check(lane)) return;
      const decision = decide();
      throw new PostponeError(
        `Salesforce API budget: ${lane} work is paused at ${decision.percentOfShare.toFixed(1)}% of Tandem's share (${usage?.used ?? 0} of ${decision.share} calls)`,
        decision.retryAfterMs || recheckMs,
      );
    },
    async waitForLane(lane, signal) {
      for (;;) {
        signal?.throwIfAborted();
        if (await check(lane)) return;
        await pause(recheckMs, wake.promise, signal);
      }
    },
    status: () => ({ ...decide(), settings: deps.settings, usage }),
  };
}

/**
 * Salesforce connectors that wait on the budget: every call but `/limits` first waits while the
 * whole share is spent (the interactive lane, the last to pause, is paused only then), and the
 * reading it brings back feeds the tracker. `readUsage` reads `/limits` through the latest
 * connector made, for the tracker's `readUsage`. `signal` ends the waits (at shutdown).
 */
export function budgetedSalesforce(
  budget: () => BudgetTracker,
  factory: (options: SalesforceConnectorOptions) => SalesforceConnector,
  signal?: AbortSignal,
): {
  readonly factory: (options: SalesforceConnectorOptions) => SalesforceConnector;
  readUsage(): Promise<TimedReading | undefined>;
} {
  let latest: SalesforceConnector | undefined;
  return {
    factory(options) {
      const connector: SalesforceConnector = factory({
        ...options,
        beforeCall: async () => {
          await options.beforeCall?.();
          budget().observe(connector.usage());
          await budget().waitForLane('interactive', signal);
        },
      });
      latest = connector;
      return connector;
    },
    async readUsage() {
      const connector = latest;
      if (connector === undefined) return undefined;
      const read = await connector.limits();
      return read.ok ? connector.usage() : undefined;
    },
  };
}

function signalled(): { readonly promise: Promise<void>; fire(): void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

/** Waits `ms`, or until `early` settles; rejects with the signal's reason when it aborts. */
function pause(ms: number, early: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const aborted = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(done, ms);
    void early.then(done);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
