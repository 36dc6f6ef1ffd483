// API usage: the `Sforce-Limit-Info` header every REST answer carries, and `/limits`.

/** A reading of the org's rolling 24-hour API allocation. */
export interface ApiUsage {
  readonly used: number;
  readonly max: number;
  readonly remaining: number;
  /** used / max, 0 when max is 0. */
  readonly fraction: number;
  /** `api-bursts=N/M` when the org reports it (newer orgs). */
  readonly bursts?: { readonly used: number; readonly max: number };
  /** When the reading was taken (ms since the epoch). */
  readonly observedAt: number;
}

/**
 * Parses `api-usage=21/15000` (optionally `; api-bursts=1/750`). Answers `undefined` for a header
 * without api-usage, so a garbled header never replaces a good reading.
 */
export function parseLimitInfo(
  header: string | undefined,
  observedAt: number,
): ApiUsage | undefined {
  if (!header) return undefined;
  // Salesforce may append `per-app-api-usage=17/250(appName=…)`: only the org-wide figure counts.
  const usage = /(?:^|[;,\s])api-usage=(\d+)\/(\d+)/.exec(header);
  if (!usage) return undefined;
  const used = Number(usage[1]);
  const max = Number(usage[2]);
  const bursts = /(?:^|[;,\s])api-bursts=(\d+)\/(\d+)/.exec(header);
  return {
    used,
    max,
    remaining: Math.max(0, max - used),
    fraction: max === 0 ? 0 : used / max,
    ...(bursts ? { bursts: { used: Number(bursts[1]), max: Number(bursts[2]) } } : {}),
    observedAt,
  };
}

/** `/limits` as returned: `{ DailyApiRequests: { Max, Remaining }, … }`. */
export type OrgLimits = Readonly<
  Record<string, { readonly Max: number; readonly Remaining: number }>
>;

/** The DailyApiRequests entry of `/limits` as a usage reading. */
export function usageFromLimits(limits: OrgLimits, observedAt: number): ApiUsage | undefined {
  const daily = limits['DailyApiRequests'];
  if (!daily) return undefined;
  const used = daily.Max - daily.Remaining;
  return {
    used,
    max: daily.Max,
    remaining: daily.Remaining,
    fraction: daily.Max === 0 ? 0 : used / daily.Max,
    observedAt,
  };
}
