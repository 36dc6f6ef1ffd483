// Intercom's rate-limit headers, read from every answer: the limit (per minute, per the emulator
// and most docs examples), what is left in the current 10-second window, and when it resets.

export interface RateLimitUsage {
  readonly limit: number;
  readonly remaining: number;
  /** When the current window ends (ms since the epoch). */
  readonly resetAt: number;
  readonly observedAt: number;
}

/** Answers `undefined` unless all three headers are there and numeric. */
export function parseRateLimitHeaders(
  headers: { get(name: string): string | null },
  observedAt: number,
): RateLimitUsage | undefined {
  const limit = Number(headers.get('x-ratelimit-limit') ?? Number.NaN);
  const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
  const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN);
  if (![limit, remaining, reset].every(Number.isFinite)) return undefined;
  return { limit, remaining, resetAt: reset * 1000, observedAt };
}
