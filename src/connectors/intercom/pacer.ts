// The rate governor of one Intercom app: every call waits here for its turn, so that the many
// jobs of a process share the app's limit instead of bursting into 429s and backing off.
//
// Intercom allows so many calls a minute, counted per 10-second window. Every answer says how
// many: X-RateLimit-Limit (the emulator and most of Intercom's examples give it per minute, the
// newest reference page per window; `remaining` above the per-minute share tells which),
// X-RateLimit-Remaining (what is left in the current window) and X-RateLimit-Reset (the UNIX
// second the window ends). The pacer spreads calls evenly at a little under the limit (a steady
// rate needs no alignment with the server's windows, and a latency shift moves every call alike),
// lets a short run of calls catch up with late timers, and trusts the headers over its own plan:
// when another process spends the same app's limit, `remaining` shrinks and the pacer spreads
// what is left until the reset. After a 429 that says the window is spent, every caller waits
// for the reset.
//
// Reset times are turned into "milliseconds from now" by the connector, against the answer, so
// the pacer's clock need not agree with Intercom's (nor with a test's fake clock).

export interface PacerClock {
  now(): number;
  /** Runs `fn` after `ms`; answers a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The share of the limit the pacer leaves unused by default. */
export const defaultPacerMargin = 0.05;

export const realClock: PacerClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** What one answer's rate headers said. */
export interface PacerReading {
  /** X-RateLimit-Limit. */
  readonly limit: number;
  /** X-RateLimit-Remaining: left in the current window. */
  readonly remaining: number;
  /** X-RateLimit-Reset: the UNIX second the window ends (names the window). */
  readonly reset: number;
  /** Milliseconds from the answer to the reset, measured by the connector. */
  readonly resetInMs: number;
  /** The answer was a 429. */
  readonly rateLimited: boolean;
}

export interface PacerOptions {
  readonly clock?: PacerClock;
  /** Share of the limit left unused as a safety margin; default 0.05. */
  readonly margin?: number;
  /** A caller that would wait longer is refused at once (rate_limited); default 30 s. */
  readonly maxWaitMs?: number;
  /** The window until two resets show it; default 10 s (Intercom's). */
  readonly windowMs?: number;
  /** The limit assumed until an answer carries the headers; default 10,000 a minute. */
  readonly assumedPerMinute?: number;
}

export type Permit = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

/** The pacer's state, for `tandem status` and /metrics. */
export interface IntercomRateUsage {
  /** X-RateLimit-Limit as last read. */
  readonly limit: number | undefined;
  /** Calls the app may make per window, as learned from the headers. */
  readonly perWindow: number | undefined;
  readonly windowMs: number;
  /** X-RateLimit-Remaining of the latest reading of the current window. */
  readonly remaining: number | undefined;
  /** When that window ends (ms since the epoch, Intercom's clock). */
  readonly resetAt: number | undefined;
  /** When that reading came (the pacer's clock). */
  readonly observedAt: number | undefined;
  /** Calls let through. */
  readonly calls: number;
  /** Of those, calls that had to wait for their turn. */
  readonly delayed: number;
  /** Callers waiting now. */
  readonly waiting: number;
  /** 429 answers seen. */
  readonly rateLimited: number;
  /** Every caller waits until then after a 429 (the pacer's clock), if that is still ahead. */
  readonly heldUntil: number | undefined;
}

export interface IntercomPacer {
  /** Waits for this call's turn; refused when the wait would exceed `maxWaitMs`. */
  acquire(): Promise<Permit>;
  /** The permitted call ended (answered or not). */
  release(): void;
  /** Feeds the rate headers of an answer. */
  observe(reading: PacerReading): void;
  /** Every caller waits for a window that a 429 said is spent. */
  held(): boolean;
  usage(): IntercomRateUsage;
}

interface WindowReading {
  readonly reset: number;
  readonly remaining: number;
  /** Calls in flight beside the observed one: they may not be counted in `remaining` yet. */
  readonly unaccounted: number;
  /** The window's end on the pacer's clock. */
  readonly until: number;
  readonly observedAt: number;
}

export function createIntercomPacer(options: PacerOptions = {}): IntercomPacer {
  const clock = options.clock ?? realClock;
  const margin = options.margin ?? defaultPacerMargin;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  let windowMs = options.windowMs ?? 10_000;
  let windowLearned = false;

  let limit: number | undefined;
  /** Limit is per window rather than per minute (sticky for one limit value). */
  let perWindowHeader = false;
  let current: WindowReading | undefined;
  let lastReset: number | undefined;
  /** Calls let through since `current` was read. */
  let sinceReading = 0;
  /** No answer has brought headers yet and one call is out to learn them. */
  let probed = false;

  /** Theoretical time of the next call (GCRA): calls go at one per interval. */
  let nextAt = Number.NEGATIVE_INFINITY;
  let heldUntil = Number.NEGATIVE_INFINITY;
  let outstanding = 0;
  const queue: { readonly resolve: (permit: Permit) => void; readonly since: number }[] = [];
  let cancelTimer: (() => void) | undefined;
  let calls = 0;
  let delayed = 0;
  let rateLimited = 0;

  function perWindow(): number {
    const perMinute = options.assumedPerMinute ?? 10_000;
    if (limit === undefined) return Math.max(1, Math.floor((perMinute * windowMs) / 60_000));
    if (perWindowHeader) return limit;
    return Math.max(1, Math.floor((limit * windowMs) / 60_000));
  }

  function interval(): number {
    const target = Math.max(1, Math.floor(perWindow() * (1 - margin)));
    return windowMs / target;
  }

  /** Calls the current window's reading still allows, or undefined once the window is over. */
  function budget(now: number): number | undefined {
    if (!current || now >= current.until) return undefined;
    return current.remaining - current.unaccounted - sinceReading;
  }

  /** The spacing of calls now: the steady rate, wider when the headers say less is left. */
  function step(now: number): number {
    const left = budget(now);
    const steady = interval();
    // Another process may be spending the same limit: spread what is left until the reset.
    return current && left !== undefined && left > 0
      ? Math.max(steady, (current.until - now) / left)
      : steady;
  }

  /** When the next caller may go, or Infinity while waiting for an answer to learn from. */
  function readyAt(now: number): number {
    if (limit === undefined && !probed && outstanding > 0) return Number.POSITIVE_INFINITY;
    const left = budget(now);
    // Turns missed to a late timer or a busy event loop are caught up, up to half the margin's
    // worth of calls: a burst after a pause can still not fill more than the window allows.
    const slack = (margin * windowMs) / 2;
    const at = Math.max(heldUntil, nextAt - slack);
    return current && left !== undefined && left <= 0 ? Math.max(at, current.until) : at;
  }

  function grant(now: number): void {
    const waiter = queue.shift();
    if (!waiter) return;
    nextAt = Math.max(nextAt, now) + step(now);
    outstanding += 1;
    sinceReading += 1;
    calls += 1;
    if (now > waiter.since) delayed += 1;
    waiter.resolve({ ok: true });
  }

  function pump(): void {
    cancelTimer?.();
    cancelTimer = undefined;
    for (;;) {
      if (queue.length === 0) return;
      const now = clock.now();
      const at = readyAt(now);
      if (at === Number.POSITIVE_INFINITY) return; // an answer or a release pumps again
      if (at > now) {
        cancelTimer = clock.setTimer(pump, Math.ceil(at - now));
        return;
      }
      grant(now);
    }
  }

  return {
    acquire() {
      const now = clock.now();
      const ahead = Math.max(readyAt(now), nextAt) - now + queue.length * interval();
      if (Number.isFinite(ahead) && ahead > maxWaitMs)
        return Promise.resolve({ ok: false, retryAfterMs: Math.ceil(ahead) });
      return new Promise<Permit>((resolve) => {
        queue.push({ resolve, since: now });
        pump();
      });
    },

    release() {
      outstanding = Math.max(0, outstanding - 1);
      if (limit === undefined) probed = true;
      pump();
    },

    observe(reading) {
      const now = clock.now();
      if (reading.limit !== limit) {
        limit = reading.limit;
        perWindowHeader = false;
      }
      if (lastReset !== undefined && reading.reset > lastReset) {
        // Consecutive windows are one window apart, windows with no call between them more; a
        // gap over a minute says nothing (a limit "per minute" has windows of a minute at most).
        const gap = (reading.reset - lastReset) * 1000;
        if (gap <= 60_000) {
          windowMs = windowLearned ? Math.min(windowMs, gap) : gap;
          windowLearned = true;
        }
      }
      if (lastReset === undefined || reading.reset > lastReset) lastReset = reading.reset;
      if (reading.remaining > Math.floor((reading.limit * windowMs) / 60_000))
        perWindowHeader = true;

      // A window ends within a window from now: a reset further away is a clock apart from ours.
      const resetInMs = Math.min(Math.max(0, reading.resetInMs), windowMs);
      const until = now + resetInMs;
      // Answers come back out of order: a later window replaces the reading, and within one
      // window the lowest `remaining` is the latest count.
      const newer =
        !current ||
        reading.reset > current.reset ||
        (reading.reset === current.reset && reading.remaining <= current.remaining);
      if (newer) {
        current = {
          reset: reading.reset,
          remaining: reading.remaining,
          unaccounted: Math.max(0, outstanding - 1),
          until,
          observedAt: now,
        };
        sinceReading = 0;
      }
      if (reading.rateLimited) rateLimited += 1;
      // The window is spent: everyone waits for the reset. A reset already behind us (clocks
      // apart) still holds everyone for a tenth of a window. A 429 whose headers show calls left
      // is some other limit the headers do not describe: it holds no one, its caller backs off.
      if (reading.rateLimited && reading.remaining <= 0)
        heldUntil = Math.max(heldUntil, resetInMs > 0 ? until : now + windowMs / 10);
      pump();
    },

    held: () => heldUntil > clock.now(),

    usage() {
      const now = clock.now();
      return {
        limit,
        perWindow: limit === undefined ? undefined : perWindow(),
        windowMs,
        remaining: current?.remaining,
        resetAt: current === undefined ? undefined : current.reset * 1000,
        observedAt: current?.observedAt,
        calls,
        delayed,
        waiting: queue.length,
        rateLimited,
        heldUntil: heldUntil > now ? heldUntil : undefined,
      };
    },
  };
}

/**
 * One pacer per Intercom app in a process: connectors opened for the same workspace and token
 * (people sync, change capture, a reconnect) share it, and with it the limit.
 */
export interface IntercomPacers {
  forConnection(baseUrl: string, accessToken: string): IntercomPacer;
  /** The pacer used last (one Intercom connection per Tandem), if any was. */
  usage(): IntercomRateUsage | undefined;
}

export function createIntercomPacers(options: PacerOptions = {}): IntercomPacers {
  const pacers = new Map<string, IntercomPacer>();
  let last: IntercomPacer | undefined;
  return {
    forConnection(baseUrl, accessToken) {
      const key = `${baseUrl}\n${accessToken}`;
      let pacer = pacers.get(key);
      if (!pacer) {
        pacer = createIntercomPacer(options);
        pacers.set(key, pacer);
      }
      last = pacer;
      return pacer;
    },
    usage: () => last?.usage(),
  };
}
