// Intercom's per-app limit: so many calls a minute, "evenly distributed into 10 second
// windows" (1,000/min allows 166 per 10 s). Each app has its own budget: the emulator's
// private app (the fixed access token) and its public app (tokens from the OAuth exchange). X-RateLimit-Limit carries the per-minute figure
// (the docs' examples are inconsistent on this), Remaining what is left in the current 10-s
// window and Reset the UNIX second at which that window ends.
export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class RateLimiter {
  perMinute: number;
  private windows = new Map<string, { window: number; used: number }>();

  constructor(perMinute: number) {
    this.perMinute = perMinute;
  }

  get perWindow(): number {
    return Math.max(1, Math.floor(this.perMinute / 6));
  }

  /** Spends one call of the app's current window if any is left. */
  take(nowMs: number, app = 'private'): RateDecision {
    return this.decide(nowMs, app, true);
  }

  /** The app's current window's headers, spending nothing. */
  peek(nowMs: number, app = 'private'): RateDecision {
    return this.decide(nowMs, app, false);
  }

  private decide(nowMs: number, app: string, spend: boolean): RateDecision {
    const window = Math.floor(nowMs / 10_000);
    let state = this.windows.get(app);
    if (state === undefined || state.window !== window) {
      state = { window, used: 0 };
      this.windows.set(app, state);
    }
    const allowed = state.used < this.perWindow;
    if (allowed && spend) state.used += 1;
    return {
      allowed,
      headers: {
        'X-RateLimit-Limit': String(this.perMinute),
        'X-RateLimit-Remaining': String(Math.max(0, this.perWindow - state.used)),
        'X-RateLimit-Reset': String((window + 1) * 10),
      },
    };
  }

  reset(): void {
    this.windows.clear();
  }
}
