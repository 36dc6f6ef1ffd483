/**
 * Control errors, after inngest-js: a handler throws one to steer what happens next. Anything
 * else thrown gets the default backoff.
 */

/** The job fails at once, whatever attempts remain, and stays visible with this error. */
export class NonRetriableError extends Error {
  override readonly name = 'NonRetriableError';
}

/** The next attempt happens no sooner than `delayMs` from now (and counts as an attempt). */
export class RetryAfterError extends Error {
  override readonly name = 'RetryAfterError';
  readonly delayMs: number;
  constructor(message: string, delayMs: number, options?: ErrorOptions) {
    super(message, options);
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new RangeError(`RetryAfterError needs a delay >= 0 ms, got ${delayMs}`);
    }
    this.delayMs = delayMs;
  }
}

/**
 * The job runs again no sooner than `delayMs` from now, and this run does not count as an
 * attempt: for work that waits on something outside it (the API budget, a window to free), not
 * for failures. A job may be postponed any number of times, even on its last attempt.
 */
export class PostponeError extends Error {
  override readonly name = 'PostponeError';
  readonly delayMs: number;
  constructor(message: string, delayMs: number, options?: ErrorOptions) {
    super(message, options);
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new RangeError(`PostponeError needs a delay >= 0 ms, got ${delayMs}`);
    }
    this.delayMs = delayMs;
  }
}

export type FailureDecision =
  | { readonly kind: 'fail'; readonly message: string }
  | { readonly kind: 'retry'; readonly message: string; readonly delayMs: number }
  | { readonly kind: 'postpone'; readonly message: string; readonly delayMs: number };

/**
 * What to do after a handler threw. Names are compared as well as classes, so an error from a
 * second copy of this module (a bundled dependency) still steers the engine.
 */
export function decideFailure(
  error: unknown,
  attempt: number,
  maxAttempts: number,
  defaultDelay: (attempt: number) => number,
): FailureDecision {
  const message = errorMessage(error);
  if (error instanceof NonRetriableError || isNamed(error, 'NonRetriableError')) {
    return { kind: 'fail', message };
  }
  if (error instanceof PostponeError || isNamed(error, 'PostponeError')) {
    const delayMs = (error as { delayMs?: unknown }).delayMs;
    if (typeof delayMs === 'number' && delayMs >= 0) return { kind: 'postpone', message, delayMs };
  }
  if (attempt >= maxAttempts) return { kind: 'fail', message };
  if (error instanceof RetryAfterError || isNamed(error, 'RetryAfterError')) {
    const delayMs = (error as { delayMs?: unknown }).delayMs;
    if (typeof delayMs === 'number' && delayMs >= 0) return { kind: 'retry', message, delayMs };
  }
  return { kind: 'retry', message, delayMs: defaultDelay(attempt) };
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
