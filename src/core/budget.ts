// The API budget (issue 6): which lanes may call Salesforce now, from the org's usage of its
// rolling 24-hour allocation and Tandem's share of it. Pure: the caller brings the reading.

/** The job lanes, highest precedence first (the same names as the job engine's). */
export const budgetLanes = ['interactive', 'live', 'bulk'] as const;
export type BudgetLane = (typeof budgetLanes)[number];

export interface BudgetSettings {
  /** Tandem's share of the org's daily API limit, in percent (1–100). */
  readonly sharePercent: number;
  /** At this percent of the share, bulk work (backfills) pauses. */
  readonly pauseBulkPercent: number;
  /** At this percent of the share, live sync pauses; interactive work goes on. */
  readonly pauseLivePercent: number;
}

/** The incumbent's defaults: half the org's limit, bulk stops at 40% of it, live at 80%. */
export const defaultBudgetSettings: BudgetSettings = {
  sharePercent: 50,
  pauseBulkPercent: 40,
  pauseLivePercent: 80,
};

/**
 * How long a paused lane waits before looking again. Salesforce's window is a rolling 24 hours
 * and says nothing of when calls age out of it, so there is no exact "free at": 5 minutes.
 */
export const budgetRecheckMs = 5 * 60_000;

export interface BudgetReading {
  /** Calls the org made in the window (`Sforce-Limit-Info` api-usage or `/limits`). */
  readonly used: number;
  /** The org's daily allocation. */
  readonly max: number;
}

export type BudgetLevel = 'open' | 'bulk_paused' | 'live_paused' | 'exhausted';

export interface BudgetDecision {
  readonly level: BudgetLevel;
  /** Lanes that may call Salesforce now. */
  readonly allowed: readonly BudgetLane[];
  readonly paused: readonly BudgetLane[];
  /** Tandem's share in calls (0 while there is no reading). */
  readonly share: number;
  /** Calls left in the share, never below 0. */
  readonly remaining: number;
  /** used / share, in percent (0 without a reading). */
  readonly percentOfShare: number;
  /** How long a paused lane waits before looking again (0 when nothing is paused). */
  readonly retryAfterMs: number;
}

/**
 * Decides which lanes may call Salesforce. The org-wide count is measured against Tandem's share:
 * calls of the org's other integrations count too, so Tandem errs on the side of leaving room.
 * At 100% of the share, or with the org's whole allocation used, every lane waits. Without a
 * reading (no call made yet) everything may go: the first call brings one.
 */
export function decideBudget(
  reading: BudgetReading | undefined,
  settings: BudgetSettings,
): BudgetDecision {
  if (reading === undefined || reading.max <= 0) {
    return {
      level: 'open',
      allowed: budgetLanes,
      paused: [],
      share: 0,
      remaining: 0,
      percentOfShare: 0,
      retryAfterMs: 0,
    };
  }
  const share = Math.floor((reading.max * settings.sharePercent) / 100);
  const percentOfShare = share > 0 ? (reading.used / share) * 100 : 100;
  const level: BudgetLevel =
    percentOfShare >= 100 || reading.used >= reading.max
      ? 'exhausted'
      : percentOfShare >= settings.pauseLivePercent
        ? 'live_paused'
        : percentOfShare >= settings.pauseBulkPercent
          ? 'bulk_paused'
          : 'open';
  const paused: readonly BudgetLane[] =
    level === 'exhausted'
      ? budgetLanes
      : level === 'live_paused'
        ? ['live', 'bulk']
        : level === 'bulk_paused'
          ? ['bulk']
          : [];
  return {
    level,
    allowed: budgetLanes.filter((lane) => !paused.includes(lane)),
    paused,
    share,
    remaining: Math.max(0, share - reading.used),
    percentOfShare,
    retryAfterMs: paused.length > 0 ? budgetRecheckMs : 0,
  };
}
