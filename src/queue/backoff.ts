import type { BackoffOptions } from './types.ts';

/**
 * Exponential backoff with "equal jitter": half the exponential delay is fixed, half random,
 * so retries of jobs that failed together spread out but never come back sooner than half the
 * nominal delay.
 */
export function exponentialBackoff(
  options: BackoffOptions = {},
  random: () => number = Math.random,
): (attempt: number) => number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 60 * 60 * 1000;
  return (attempt) => {
    const nominal = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
    return Math.round(nominal / 2 + random() * (nominal / 2));
  };
}
