import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How many jobs of one task and lane are in each state. */
export interface JobCount {
  readonly task: string;
  readonly lane: string;
  readonly queued: number;
  readonly running: number;
  readonly failed: number;
}

/** The API budget as the gauges show it (sync/budget.ts `status()` fits). */
export interface BudgetGauges {
  readonly usage: { readonly used: number; readonly max: number } | undefined;
  readonly share: number;
  readonly remaining: number;
  readonly paused: readonly string[];
}

const budgetLanes = ['interactive', 'live', 'bulk'] as const;

/** Intercom's rate limit as the pacer knows it (the connector's `usage()` fits). */
export interface IntercomRateGauges {
  /** Calls Intercom allows the app per window (10 s). */
  readonly perWindow: number | undefined;
  readonly remaining: number | undefined;
  readonly calls: number;
  readonly delayed: number;
  readonly waiting: number;
  readonly rateLimited: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** Records one finished attempt of a job. */
  observeJob(task: string, lane: string, outcome: string, durationMs: number): void;
}

/**
 * Tandem's Prometheus metrics, in a registry of their own (no global state). Job counts are
 * read from the engine when Prometheus scrapes, so they are never stale.
 */
export function createMetrics(
  jobCounts: () => Promise<readonly JobCount[]>,
  budget?: () => BudgetGauges,
  intercom?: () => IntercomRateGauges | undefined,
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tandem_' });
  const states = ['queued', 'running', 'failed'] as const;
  // A scrape collects the three gauges one after the other; one read of the engine serves all.
  let latest: { at: number; read: Promise<readonly JobCount[]> } | undefined;
  const counts = () => {
    if (latest === undefined || performance.now() - latest.at > 250) {
      latest = { at: performance.now(), read: jobCounts() };
    }
    return latest.read;
  };
  for (const state of states) {
    new Gauge({
      name: `tandem_jobs_${state}`,
      help: `Jobs ${state === 'failed' ? 'that exhausted their attempts' : state}, per task and lane`,
      labelNames: ['task', 'lane'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const count of await counts())
          this.set({ task: count.task, lane: count.lane }, count[state]);
      },
    });
  }
  const durations = new Histogram({
    name: 'tandem_job_duration_seconds',
    help: 'Time a job attempt took, per task, lane and outcome',
    labelNames: ['task', 'lane', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  if (budget) {
    const gauge = (name: string, help: string, value: (b: BudgetGauges) => number | undefined) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const v = value(budget());
          if (v === undefined) this.reset();
          else this.set(v);
        },
      });
    gauge(
      'tandem_salesforce_api_used',
      'Salesforce API calls the org made in the 24-hour window',
      (b) => b.usage?.used,
    );
    gauge('tandem_salesforce_api_max', "The Salesforce org's daily API limit", (b) => b.usage?.max);
    gauge(
      'tandem_salesforce_api_share',
      "Tandem's share of the daily limit, in calls",
      (b) => b.share,
    );
    gauge(
      'tandem_salesforce_api_share_remaining',
      "Calls left in Tandem's share",
      (b) => b.remaining,
    );
    new Gauge({
      name: 'tandem_budget_lane_paused',
      help: "1 when the API budget pauses the lane's Salesforce calls",
      labelNames: ['lane'] as const,
      registers: [registry],
      collect() {
        const { paused } = budget();
        for (const lane of budgetLanes) this.set({ lane }, paused.includes(lane) ? 1 : 0);
      },
    });
  }
  if (intercom) {
    const read = (value: (r: IntercomRateGauges) => number | undefined) => {
      const reading = intercom();
      return reading === undefined ? undefined : value(reading);
    };
    // Gauges, and counters read from the pacer's own totals when Prometheus scrapes.
    const metric = (
      Kind: typeof Gauge | typeof Counter,
      name: string,
      help: string,
      value: (r: IntercomRateGauges) => number | undefined,
    ) =>
      new Kind({
        name,
        help,
        registers: [registry],
        collect(this: Gauge | Counter) {
          const v = read(value);
          this.reset();
          if (v === undefined) return;
          if (this instanceof Gauge) this.set(v);
          else this.inc(v);
        },
      });
    metric(
      Gauge,
      'tandem_intercom_rate_limit',
      'Calls Intercom allows the app per rate window (10 s), from X-RateLimit-Limit',
      (r) => r.perWindow,
    );
    metric(
      Gauge,
      'tandem_intercom_rate_remaining',
      'Calls left in the current Intercom rate window, from X-RateLimit-Remaining',
      (r) => r.remaining,
    );
    metric(
      Gauge,
      'tandem_intercom_calls_waiting',
      'Intercom calls waiting for their turn in the pacer',
      (r) => r.waiting,
    );
    metric(
      Counter,
      'tandem_intercom_calls_total',
      'Intercom calls let through by the pacer',
      (r) => r.calls,
    );
    metric(
      Counter,
      'tandem_intercom_calls_delayed_total',
      'Intercom calls that waited for their turn in the pacer',
      (r) => r.delayed,
    );
    metric(
      Counter,
      'tandem_intercom_rate_limited_total',
      'Intercom answers that were 429 (rate limit exceeded)',
      (r) => r.rateLimited,
    );
  }
  return {
    registry,
    observeJob: (task, lane, outcome, durationMs) =>
      durations.observe({ task, lane, outcome }, durationMs / 1000),
  };
}
