import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIntercomPacer, type IntercomPacer, type PacerClock } from './pacer.ts';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Time that moves only when told, firing timers in order. */
class FakeClock implements PacerClock {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 0;
  now = (): number => this.t;
  setTimer = (fn: () => void, ms: number): (() => void) => {
    const id = ++this.nextId;
    this.timers.set(id, { at: this.t + ms, fn });
    return () => this.timers.delete(id);
  };
  sleep = (ms: number): Promise<void> => new Promise((resolve) => this.setTimer(resolve, ms));
  async runUntil(end: number): Promise<void> {
    for (;;) {
      await flush();
      let next: { id: number; at: number; fn: () => void } | undefined;
      for (const [id, timer] of this.timers)
        if (!next || timer.at < next.at) next = { id, ...timer };
      if (!next || next.at > end) break;
      this.timers.delete(next.id);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await flush();
  }
}

/**
 * Intercom's counting, on the fake clock: so many calls a minute, counted per 10-second window,
 * with the headers the emulator sends. `others` spends calls of the same app in every window.
 */
class FakeIntercom {
  perMinute: number;
  readonly used = new Map<number, number>();
  readonly accepted = new Map<number, number>();
  answered429 = 0;
  private readonly clock: FakeClock;
  constructor(clock: FakeClock, perMinute: number) {
    this.clock = clock;
    this.perMinute = perMinute;
  }
  get perWindow(): number {
    return Math.floor(this.perMinute / 6);
  }
  /** Counts one call now and answers its headers. */
  take() {
    const window = Math.floor(this.clock.t / 10_000);
    const used = this.used.get(window) ?? 0;
    const allowed = used < this.perWindow;
    if (allowed) this.used.set(window, used + 1);
    if (allowed) this.accepted.set(window, (this.accepted.get(window) ?? 0) + 1);
    else this.answered429 += 1;
    const reset = (window + 1) * 10;
    return {
      limit: this.perMinute,
      remaining: Math.max(0, this.perWindow - (allowed ? used + 1 : used)),
      reset,
      resetInMs: reset * 1000 - this.clock.t,
      rateLimited: !allowed,
    };
  }
  /** Another process of the same app spends `n` calls of the current window. */
  spend(n: number): void {
    const window = Math.floor(this.clock.t / 10_000);
    this.used.set(window, (this.used.get(window) ?? 0) + n);
  }
}

/** `callers` loops each making calls through the pacer until `until`, `latencyMs` each way. */
function callers(
  clock: FakeClock,
  server: FakeIntercom,
  pacer: IntercomPacer,
  count: number,
  until: number,
  latencyMs = 25,
): { grants: number[] } {
  const grants: number[] = [];
  for (let i = 0; i < count; i += 1) {
    void (async () => {
      while (clock.t < until) {
        const permit = await pacer.acquire();
        assert.ok(permit.ok);
        grants.push(clock.t);
        await clock.sleep(latencyMs);
        pacer.observe(server.take());
        await clock.sleep(latencyMs);
        pacer.release();
      }
    })();
  }
  return { grants };
}

describe('Intercom pacer', () => {
  it('spreads calls evenly over the window instead of sending them at its start', async () => {
    const clock = new FakeClock();
    const server = new FakeIntercom(clock, 600); // 100 calls per 10 s
    const pacer = createIntercomPacer({ clock });
    const { grants } = callers(clock, server, pacer, 40, 60_000);
    await clock.runUntil(62_000);
    for (let window = 1; window < 6; window += 1) {
      const start = window * 10_000;
      const inWindow = grants.filter((t) => t >= start && t < start + 10_000).length;
      const firstSecond = grants.filter((t) => t >= start && t < start + 1_000).length;
      assert.ok(inWindow >= 90, `window ${window}: ${inWindow} calls`);
      assert.ok(firstSecond <= 11, `window ${window}: ${firstSecond} calls in its first second`);
    }
  });

  it('never lets more calls into a window than the limit allows, and keeps above 90% of it', async () => {
    const clock = new FakeClock();
    const server = new FakeIntercom(clock, 10_000); // 1,666 per 10 s
    const pacer = createIntercomPacer({ clock });
    const { grants } = callers(clock, server, pacer, 32, 60_000);
    await clock.runUntil(61_000);
    assert.equal(server.answered429, 0);
    for (const [window, used] of server.used)
      assert.ok(used <= server.perWindow, `window ${window}: ${used} calls`);
    assert.ok(grants.length >= 9_000, `${grants.length} calls in a minute`);
    assert.equal(pacer.usage().rateLimited, 0);
    assert.equal(pacer.usage().calls, grants.length);
  });

  it('holds every caller until the reset after a 429', async () => {
    const clock = new FakeClock();
    const pacer = createIntercomPacer({ clock });
    clock.t = 6_000;
    const first = await pacer.acquire();
    assert.ok(first.ok);
    pacer.observe({ limit: 600, remaining: 0, reset: 10, resetInMs: 4_000, rateLimited: true });
    pacer.release();
    const granted: number[] = [];
    for (let i = 0; i < 5; i += 1)
      void pacer.acquire().then((permit) => {
        assert.ok(permit.ok);
        granted.push(clock.t);
      });
    await clock.runUntil(9_999);
    assert.deepEqual(granted, []);
    assert.equal(pacer.usage().waiting, 5);
    assert.equal(pacer.usage().rateLimited, 1);
    await clock.runUntil(11_000);
    assert.equal(granted.length, 5);
    assert.ok(granted.every((t) => t >= 10_000));
  });

  it('holds no one after a 429 whose headers still show calls left (a limit they do not describe)', async () => {
    const clock = new FakeClock();
    const pacer = createIntercomPacer({ clock });
    clock.t = 6_000;
    pacer.observe({ limit: 600, remaining: 40, reset: 10, resetInMs: 4_000, rateLimited: true });
    assert.equal(pacer.held(), false);
    const permit = await Promise.race([pacer.acquire(), flush().then(() => 'still waiting')]);
    assert.deepEqual(permit, { ok: true });
    assert.equal(pacer.usage().rateLimited, 1);
  });

  it('holds no longer than a window when the reset is further away (a clock apart from ours)', async () => {
    const clock = new FakeClock();
    const pacer = createIntercomPacer({ clock });
    pacer.observe({
      limit: 600,
      remaining: 0,
      reset: 3_610,
      resetInMs: 3_600_000,
      rateLimited: true,
    });
    let granted = false;
    void pacer.acquire().then(() => (granted = true));
    await clock.runUntil(9_999);
    assert.equal(granted, false);
    await clock.runUntil(10_000);
    assert.equal(granted, true);
  });

  it('learns a changed limit from the headers', async () => {
    const clock = new FakeClock();
    const server = new FakeIntercom(clock, 600);
    const pacer = createIntercomPacer({ clock });
    const { grants } = callers(clock, server, pacer, 40, 60_000);
    await clock.runUntil(30_000);
    server.perMinute = 1_200; // 200 per 10 s from now on
    await clock.runUntil(61_000);
    const inWindow = (w: number) => grants.filter((t) => t >= w * 1e4 && t < w * 1e4 + 1e4).length;
    assert.ok(inWindow(2) <= 100, `before: ${inWindow(2)}`);
    assert.ok(inWindow(5) >= 180, `after: ${inWindow(5)}`);
    assert.equal(server.answered429, 0);
    assert.equal(pacer.usage().limit, 1_200);
    assert.equal(pacer.usage().perWindow, 200);
  });

  it('spreads what the headers leave when another process spends the same limit', async () => {
    const clock = new FakeClock();
    const server = new FakeIntercom(clock, 600);
    const pacer = createIntercomPacer({ clock });
    // The other process spends 60 of the 100 calls at the start of every window.
    for (let w = 0; w < 6; w += 1) clock.setTimer(() => server.spend(60), w * 10_000);
    callers(clock, server, pacer, 40, 60_000);
    await clock.runUntil(61_000);
    assert.equal(server.answered429, 0);
    for (let w = 1; w < 6; w += 1)
      assert.ok((server.accepted.get(w) ?? 0) >= 30, `window ${w}: ${server.accepted.get(w)}`);
  });

  it('lets one call out first and waits for its answer to learn the limit', async () => {
    const clock = new FakeClock();
    const pacer = createIntercomPacer({ clock });
    let granted = 0;
    for (let i = 0; i < 10; i += 1) void pacer.acquire().then(() => (granted += 1));
    await clock.runUntil(5_000);
    assert.equal(granted, 1);
    pacer.observe({ limit: 600, remaining: 99, reset: 10, resetInMs: 5_000, rateLimited: false });
    await clock.runUntil(6_000);
    assert.ok(granted >= 9, `${granted} granted`);
  });

  it('reads a limit given per window when remaining shows more than a minute’s share', () => {
    const pacer = createIntercomPacer({ clock: new FakeClock() });
    pacer.observe({ limit: 167, remaining: 166, reset: 10, resetInMs: 9_000, rateLimited: false });
    assert.equal(pacer.usage().perWindow, 167);
    pacer.observe({
      limit: 1_000,
      remaining: 160,
      reset: 10,
      resetInMs: 8_000,
      rateLimited: false,
    });
    assert.equal(pacer.usage().perWindow, 166);
  });

  it('learns the window from the resets of consecutive windows', () => {
    const pacer = createIntercomPacer({ clock: new FakeClock(), windowMs: 60_000 });
    const answer = (reset: number) =>
      pacer.observe({ limit: 600, remaining: 50, reset, resetInMs: 5_000, rateLimited: false });
    answer(10);
    answer(400); // minutes without a call say nothing about the window
    assert.equal(pacer.usage().windowMs, 60_000);
    assert.equal(pacer.usage().perWindow, 600);
    answer(430);
    answer(440);
    assert.equal(pacer.usage().windowMs, 10_000);
    assert.equal(pacer.usage().perWindow, 100);
  });

  it('refuses a caller at once when its wait would exceed maxWaitMs', async () => {
    const clock = new FakeClock();
    const pacer = createIntercomPacer({ clock, maxWaitMs: 1_000 });
    pacer.observe({ limit: 600, remaining: 0, reset: 10, resetInMs: 10_000, rateLimited: true });
    const permit = await Promise.race([pacer.acquire(), flush().then(() => 'still waiting')]);
    assert.deepEqual(permit, { ok: false, retryAfterMs: 10_000 });
    assert.equal(pacer.usage().waiting, 0);
  });
});
