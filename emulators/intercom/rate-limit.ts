// Intercom's per-app limit: so many calls a minute, "evenly distributed into 10 second
// windows" (1,000/min allows 166 per 10 s). X-RateLimit-Limit carries the per-minute figure
// (the docs' examples are inconsistent on this), Remaining what is left in the current 10-s
// window and Reset the UNIX second at which that window ends.
export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class RateLimiter {
  perMinute: number;
  private window = -1;
  private used = 0;

  constructor(perMinute: number) {
    this.perMinute = perMinute;
  }

  get perWindow(): number {
    return Math.max(1, Math.floor(this.perMinute / 6));
  }

  /** Spends one call of the current window if any is left. */
  take(nowMs: number): RateDecision {
    return this.decide(nowMs, true);
  }

  /** The current window's headers, spending nothing. */
  peek(nowMs: number): RateDecision {
    return this.decide(nowMs, false);
  }

  private decide(nowMs: number, spend: boolean): RateDecision {
    const window = Math.floor(nowMs / 10_000);
    if (window !== this.window) {
      this.window = window;
      this.used = 0;
    }
    const allowed = this.used < this.perWindow;
    if (allowed && spend) this.used += 1;
    return {
      allowed,
      headers: {
        'X-RateLimit-Limit': String(this.perMinute),
        'X-RateLimit-Remaining': String(Math.max(0, this.perWindow - this.used)),
        'X-RateLimit-Reset': String((window + 1) * 10),
      },
    };
  }

  reset(): void {
    this.window = -1;
    this.used = 0;
  }
}
