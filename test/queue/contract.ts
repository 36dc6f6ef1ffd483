import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  NonRetriableError,
  PostponeError,
  RetryAfterError,
  type EngineOptions,
  type JobEngine,
  type JobOutcome,
  type JobPayload,
  type TaskHandler,
} from '../../src/queue/index.ts';
import { gate, sleep, waitFor } from './support/wait.ts';

/** One empty job store per test; every engine it builds shares that store. */
export interface EngineBench {
  engine(options: EngineOptions): JobEngine;
  close(): Promise<void>;
}

type Options = Omit<EngineOptions, 'tasks'>;

/** Settings that keep the suite quick: short polls, short backoff. */
const quick: Options = { pollIntervalMs: 50, leaseMs: 5_000, backoff: { baseMs: 100 } };

/**
 * The job engine contract: every engine passes the same sentences. `open` gives a fresh,
 * empty store for one test.
 */
export function jobEngineContract(name: string, open: () => Promise<EngineBench>): void {
  describe(`${name}: job engine contract`, () => {
    let bench: EngineBench;
    const engines: JobEngine[] = [];

    const build = (tasks: Record<string, TaskHandler<never>>, options: Options = {}) => {
      const engine = bench.engine({ ...quick, ...options, tasks });
      engines.push(engine);
      return engine;
    };

    beforeEach(async () => {
      bench = await open();
    });

    afterEach(async () => {
      for (const engine of engines.splice(0)) await engine.stop({ graceMs: 100 });
      await bench.close();
    });

    it('runs an added job with its payload, attempt, lane and job id', async () => {
      const seen: { payload: JobPayload; jobId: string; attempt: number; lane: string }[] = [];
      const engine = build({
        greet: async (payload: JobPayload, ctx) => {
          seen.push({ payload, jobId: ctx.jobId, attempt: ctx.attempt, lane: ctx.lane });
        },
      });
      await engine.start();
      const { id } = await engine.add('greet', { name: 'Ada' }, { lane: 'interactive' });
      await waitFor('the job to run', () => seen.length === 1);
      assert.deepEqual(seen[0], {
        payload: { name: 'Ada' },
        jobId: id,
        attempt: 1,
        lane: 'interactive',
      });
      await waitFor('the job to be gone', async () => (await engine.stats()).every(isEmpty));
    });

    it('replaces a pending job with the same key, so a burst runs once with the last payload', async () => {
      const seen: JobPayload[] = [];
      const engine = build({ sync: async (payload: JobPayload) => void seen.push(payload) });
      for (const n of [1, 2, 3]) await engine.add('sync', { n }, { jobKey: 'contact:1' });
      await engine.add('sync', { n: 9 }, { jobKey: 'contact:2' });
      const stats = await engine.stats();
      assert.deepEqual(
        stats.map((row) => [row.task, row.lane, row.queued]),
        [['sync', 'live', 2]],
      );
      await engine.start();
      await waitFor('both keys to run', () => seen.length === 2);
      await sleep(200);
      assert.deepEqual(
        seen.map((payload) => payload['n']).sort(),
        [3, 9],
        'one run per key, with the last payload',
      );
    });

    it('takes the run time of the replacing add, so a delayed keyed job can be brought forward', async () => {
      const seen: JobPayload[] = [];
      const engine = build({ sync: async (payload: JobPayload) => void seen.push(payload) });
      await engine.start();
      await engine.add('sync', { n: 1 }, { jobKey: 'lead:1', runAt: Date.now() + 60_000 });
      await sleep(200);
      assert.equal(seen.length, 0);
      await engine.add('sync', { n: 2 }, { jobKey: 'lead:1' });
      await waitFor('the replaced job to run now', () => seen.length === 1);
      assert.deepEqual(seen, [{ n: 2 }]);
    });

    it('does not retry a running keyed job that a fresh job with its key supersedes', async () => {
      const first = gate();
      const seen: unknown[] = [];
      const engine = build(
        {
          sync: async (payload: JobPayload) => {
            seen.push(payload['n']);
            if (payload['n'] === 1) {
              await first.promise;
              throw new Error('stale write refused');
            }
          },
        },
        { concurrency: 2, backoff: { baseMs: 50 } },
      );
      await engine.start();
      await engine.add('sync', { n: 1 }, { jobKey: 'lead:2', maxAttempts: 5 });
      await waitFor('the first job to start', () => seen.length === 1);
      await engine.add('sync', { n: 2 }, { jobKey: 'lead:2' });
      first.open();
      await waitFor('the fresh job to run', () => seen.includes(2));
      await sleep(400);
      assert.deepEqual(seen, [1, 2], 'the superseded job ran once, the fresh one after it');
      const [failed] = await engine.failedJobs();
      assert.equal(failed?.lastError, 'stale write refused');
    });

    it('queues a fresh job when the keyed job is running and runs it after, never beside it', async () => {
      const first = gate();
      const runs: { n: unknown; start: number; end?: number }[] = [];
      const engine = build(
        {
          sync: async (payload: JobPayload) => {
            const run: { n: unknown; start: number; end?: number } = {
              n: payload['n'],
              start: performance.now(),
            };
            runs.push(run);
            if (payload['n'] === 1) await first.promise;
            run.end = performance.now();
          },
        },
        { concurrency: 4 },
      );
      await engine.start();
      await engine.add('sync', { n: 1 }, { jobKey: 'contact:1' });
      await waitFor('the first job to start', () => runs.length === 1);
      await engine.add('sync', { n: 2 }, { jobKey: 'contact:1' });
      await sleep(400);
      assert.equal(runs.length, 1, 'the fresh job waits while the keyed job runs');
      first.open();
      await waitFor('the fresh job to run', () => runs.length === 2 && runs[1]?.end !== undefined);
      const [a, b] = runs;
      assert.equal(b?.n, 2);
      assert.ok(b!.start >= a!.end!, 'the fresh job starts after the first ends');
    });

    it('retries a failing job with exponential backoff', async () => {
      const starts: number[] = [];
      const engine = build(
        {
          flaky: async (_payload: JobPayload, ctx) => {
            starts.push(performance.now());
            if (ctx.attempt < 3) throw new Error(`boom ${ctx.attempt}`);
          },
        },
        { backoff: { baseMs: 300 }, random: () => 0.999 },
      );
      await engine.start();
      await engine.add('flaky', {}, { maxAttempts: 5 });
      await waitFor('the third attempt', () => starts.length === 3);
      const [a = 0, b = 0, c = 0] = starts;
      assert.ok(b - a >= 250, `first retry after ~300 ms, was ${Math.round(b - a)} ms`);
      assert.ok(c - b >= 550, `second retry after ~600 ms, was ${Math.round(c - b)} ms`);
      await waitFor('the job to complete', async () => (await engine.stats()).every(isEmpty));
      assert.deepEqual(await engine.failedJobs(), []);
    });

    it('fails at once on NonRetriableError and keeps the job visible with its error', async () => {
      let calls = 0;
      const engine = build({
        strict: async () => {
          calls += 1;
          throw new NonRetriableError('the contact has no email');
        },
      });
      await engine.start();
      const { id } = await engine.add('strict', { contact: 7 }, { maxAttempts: 5 });
      await waitFor('the job to fail', async () => (await engine.failedJobs()).length === 1);
      await sleep(300);
      assert.equal(calls, 1);
      const [failed] = await engine.failedJobs();
      assert.equal(failed?.id, id);
      assert.equal(failed?.lastError, 'the contact has no email');
      assert.deepEqual(failed?.payload, { contact: 7 });
      assert.deepEqual(
        (await engine.stats()).map((row) => [row.task, row.queued, row.running, row.failed]),
        [['strict', 0, 0, 1]],
      );
    });

    it('waits at least the given delay after RetryAfterError, whatever the backoff', async () => {
      const starts: number[] = [];
      const engine = build(
        {
          limited: async (_payload: JobPayload, ctx) => {
            starts.push(performance.now());
            if (ctx.attempt === 1) throw new RetryAfterError('rate limited', 500);
          },
        },
        { backoff: { baseMs: 60_000 } },
      );
      await engine.start();
      await engine.add('limited', {});
      await waitFor('the second attempt', () => starts.length === 2);
      const gap = (starts[1] ?? 0) - (starts[0] ?? 0);
      assert.ok(gap >= 450, `retried after ${Math.round(gap)} ms, wanted >= 500 ms`);
      assert.ok(gap < 5_000, `retried after ${Math.round(gap)} ms, not the default backoff`);
    });

    it('postpones a job on PostponeError without spending its attempts, however often', async () => {
      const attempts: number[] = [];
      const engine = build({
        waiting: async (_payload: JobPayload, ctx) => {
          attempts.push(ctx.attempt);
          if (attempts.length <= 4) throw new PostponeError('the API budget is spent', 30);
        },
      });
      await engine.start();
      // One attempt only: a single counted failure would leave the job failed.
      await engine.add('waiting', {}, { maxAttempts: 1 });
      await waitFor('the fifth run', () => attempts.length === 5);
      await waitFor('the job to complete', async () => (await engine.stats()).every(isEmpty));
      assert.deepEqual(attempts, [1, 1, 1, 1, 1], 'every run is the first attempt');
      assert.deepEqual(await engine.failedJobs(), []);
    });

    it('keeps a postponed keyed job replaceable by a fresh add of its key', async () => {
      const seen: unknown[] = [];
      const engine = build({
        sync: async (payload: JobPayload) => {
          seen.push(payload['n']);
          if (payload['n'] === 1) throw new PostponeError('paused', 60_000);
        },
      });
      await engine.start();
      await engine.add('sync', { n: 1 }, { jobKey: 'lead:7' });
      await waitFor('the first run', () => seen.length === 1);
      await waitFor('the job to wait again', async () =>
        (await engine.stats()).some((row) => row.queued === 1 && row.running === 0),
      );
      await engine.add('sync', { n: 2 }, { jobKey: 'lead:7' });
      await waitFor('the replacing job to run', () => seen.length === 2);
      await waitFor('the queue to be empty', async () => (await engine.stats()).every(isEmpty));
      assert.deepEqual(
        seen,
        [1, 2],
        'the postponed job was replaced, not run beside its successor',
      );
    });

    it('keeps an exhausted job visible with its last error', async () => {
      let calls = 0;
      const engine = build(
        {
          doomed: async (_payload: JobPayload, ctx) => {
            calls += 1;
            throw new Error(`boom ${ctx.attempt}`);
          },
        },
        { backoff: { baseMs: 50 } },
      );
      await engine.start();
      await engine.add('doomed', { id: 1 }, { maxAttempts: 2, lane: 'bulk' });
      await waitFor('the job to be exhausted', async () => (await engine.failedJobs()).length > 0);
      const [failed] = await engine.failedJobs();
      assert.equal(failed?.lastError, 'boom 2');
      assert.equal(failed?.attempts, 2);
      assert.equal(failed?.maxAttempts, 2);
      assert.equal(failed?.lane, 'bulk');
      await sleep(200);
      assert.equal(calls, 2);
    });

    it('runs interactive before live before bulk, then by priority, then by run time', async () => {
      const order: string[] = [];
      const engine = build(
        { step: async (payload: JobPayload) => void order.push(String(payload['name'])) },
        { concurrency: 1 },
      );
      const past = Date.now() - 60_000;
      await engine.add('step', { name: 'bulk' }, { lane: 'bulk', priority: -100 });
      await engine.add('step', { name: 'live+5' }, { priority: 5 });
      await engine.add('step', { name: 'live later' }, { runAt: past + 2_000 });
      await engine.add('step', { name: 'live earlier' }, { runAt: new Date(past + 1_000) });
      await engine.add('step', { name: 'live-5' }, { priority: -5 });
      await engine.add('step', { name: 'interactive' }, { lane: 'interactive', priority: 100 });
      await engine.start();
      await waitFor('every job to run', () => order.length === 6);
      assert.deepEqual(order, [
        'interactive',
        'live-5',
        'live earlier',
        'live later',
        'live+5',
        'bulk',
      ]);
    });

    it('never runs more jobs at once than its concurrency', async () => {
      let inFlight = 0;
      let most = 0;
      let done = 0;
      const engine = build(
        {
          slow: async () => {
            inFlight += 1;
            most = Math.max(most, inFlight);
            await sleep(60);
            inFlight -= 1;
            done += 1;
          },
        },
        { concurrency: 3 },
      );
      for (let i = 0; i < 12; i++) await engine.add('slow', { i });
      await engine.start();
      await waitFor('every job to run', () => done === 12);
      assert.equal(most, 3);
    });

    it('lets running jobs finish within the grace period when stopping', async () => {
      let finished = 0;
      const engine = build({
        slow: async () => {
          await sleep(300);
          finished += 1;
        },
      });
      await engine.start();
      await engine.add('slow', {});
      await waitFor('the job to start', async () =>
        (await engine.stats()).some((row) => row.running === 1),
      );
      await engine.stop({ graceMs: 5_000 });
      assert.equal(finished, 1);
      const after = build({ slow: async () => assert.fail('a finished job runs again') });
      assert.ok((await after.stats()).every(isEmpty));
    });

    it('releases jobs still running after the grace period, for another worker to run', async () => {
      let aborted = false;
      const first = build({
        stuck: async (_payload: JobPayload, ctx) => {
          ctx.signal.addEventListener('abort', () => (aborted = true));
          await new Promise(() => {}); // ignores the signal: the engine must not wait for it
        },
      });
      await first.start();
      await first.add('stuck', { n: 1 });
      await waitFor('the job to start', async () =>
        (await first.stats()).some((row) => row.running === 1),
      );
      const stopping = performance.now();
      await first.stop({ graceMs: 200 });
      assert.ok(performance.now() - stopping < 5_000, 'stop does not wait for the stuck job');
      assert.ok(aborted, 'the job was told to stop');
      const seen: number[] = [];
      const second = build({
        stuck: async (_payload: JobPayload, ctx) => void seen.push(ctx.attempt),
      });
      const stats = await second.stats();
      assert.deepEqual(
        stats.map((row) => [row.queued, row.running]),
        [[1, 0]],
      );
      await second.start();
      await waitFor('another worker to run the released job', () => seen.length === 1);
      assert.deepEqual(seen, [1], 'the released attempt does not count');
    });

    it('keeps a job that outlives its lease, so no other worker runs it meanwhile', async () => {
      let runs = 0;
      const tasks = {
        long: async () => {
          runs += 1;
          await sleep(1_800);
        },
      };
      const first = build(tasks, { leaseMs: 600 });
      const second = build(tasks, { leaseMs: 600 });
      await first.start();
      await first.add('long', {});
      await waitFor('the job to start', () => runs === 1);
      await second.start();
      await waitFor('the job to complete', async () => (await first.stats()).every(isEmpty));
      assert.equal(runs, 1);
    });

    it('tells the observer how each job ended', async () => {
      const events: [string, string, JobOutcome][] = [];
      const engine = build(
        {
          ok: async () => {},
          once: async (_payload: JobPayload, ctx) => {
            if (ctx.attempt === 1) throw new Error('first time fails');
          },
          never: async () => {
            throw new NonRetriableError('no');
          },
        },
        {
          observer: {
            onJobFinish: (task, lane, outcome, durationMs) => {
              assert.ok(durationMs >= 0);
              events.push([task, lane, outcome]);
            },
          },
          backoff: { baseMs: 50 },
        },
      );
      await engine.start();
      await engine.add('ok', {}, { lane: 'bulk' });
      await engine.add('once', {});
      await engine.add('never', {}, { lane: 'interactive' });
      await waitFor('four outcomes', () => events.length === 4);
      assert.deepEqual(
        events.sort(),
        [
          ['never', 'interactive', 'failed'],
          ['ok', 'bulk', 'completed'],
          ['once', 'live', 'completed'],
          ['once', 'live', 'retrying'],
        ].sort(),
      );
    });

    it('gives concurrent adds their own ids, and adds of one key the same id', async () => {
      const seen: JobPayload[] = [];
      const engine = build({ sync: async (payload: JobPayload) => void seen.push(payload) });
      const added = await Promise.all([
        engine.add('sync', { same: true }),
        engine.add('sync', { same: true }),
        engine.add('sync', { n: 1 }, { jobKey: 'deal:1' }),
        engine.add('sync', { n: 2 }, { jobKey: 'deal:1' }),
      ]);
      const [a, b, c, d] = added.map((job) => job.id);
      assert.notEqual(a, b);
      assert.equal(c, d);
      await engine.start();
      await waitFor('three runs', () => seen.length === 3);
      await sleep(200);
      assert.deepEqual(
        seen.filter((payload) => 'n' in payload),
        [{ n: 2 }],
      );
    });

    it('refuses a payload that is not an object and a priority out of range', async () => {
      const engine = build({ any: async () => {} });
      await assert.rejects(engine.add('any', [1, 2] as unknown as JobPayload), TypeError);
      await assert.rejects(engine.add('any', {}, { priority: 5000 }), RangeError);
    });
  });
}

function isEmpty(row: { queued: number; running: number; failed: number }): boolean {
  return row.queued === 0 && row.running === 0 && row.failed === 0;
}
