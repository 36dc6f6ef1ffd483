// Webhook notifications as Intercom sends them: the notification_event envelope, signed with
// X-Hub-Signature: sha1=HMAC-SHA1(client secret, raw body), delivered asynchronously. A
// delivery that does not answer 2xx within the timeout (5 s) is retried once after a delay
// (60 s by default); 410 Gone disables the subscription. Settings can send each notification
// twice and shuffle the order, since Intercom guarantees neither once-only nor ordering.
import { createHmac, randomUUID } from 'node:crypto';
import type { ApiVersion } from './versions.ts';

export interface Subscription {
  id: string;
  url: string;
  /** Topic names, or '*' for all. */
  topics: string[];
  version: ApiVersion;
  active: boolean;
  disabled_reason: string | null;
}

export interface DeliveryRecord {
  notification_id: string;
  subscription_id: string;
  topic: string;
  url: string;
  attempt: number;
  status: number | null;
  error: string | null;
  outcome: 'delivered' | 'retry_scheduled' | 'failed' | 'subscription_disabled';
  at: number;
  duration_ms: number;
}

export interface WebhookSettings {
  retryDelayMs: number;
  timeoutMs: number;
  duplicates: boolean;
  shuffle: boolean;
}

interface Job {
  subscription: Subscription;
  notificationId: string;
  topic: string;
  item: unknown;
  createdAt: number;
  attempt: number;
}

// The ping topic is always subscribed, as in Intercom.
const wants = (s: Subscription, topic: string) =>
  topic === 'ping' || s.topics.includes(topic) || s.topics.includes('*');

export function sign(secret: string, rawBody: string): string {
  return 'sha1=' + createHmac('sha1', secret).update(rawBody).digest('hex');
}

export class Webhooks {
  readonly settings: WebhookSettings;
  readonly log: DeliveryRecord[] = [];
  delivered = 0;
  failed = 0;
  private subscriptions = new Map<string, Subscription>();
  private queue: Job[] = [];
  private inFlight = 0;
  private timers = new Set<NodeJS.Timeout>();
  private waiters: (() => void)[] = [];
  private scheduled = false;
  private closed = false;
  private nextId = 1;
  private readonly appId: string;
  private readonly secret: string;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: {
    appId: string;
    secret: string;
    now: () => number;
    random: () => number;
    settings: WebhookSettings;
  }) {
    this.appId = options.appId;
    this.secret = options.secret;
    this.now = options.now;
    this.random = options.random;
    this.settings = options.settings;
  }

  subscribe(input: { url: string; topics: string[]; version: ApiVersion }): Subscription {
    const subscription: Subscription = {
      id: `sub_${this.nextId++}`,
      url: input.url,
      topics: input.topics,
      version: input.version,
      active: true,
      disabled_reason: null,
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  unsubscribe(id: string): boolean {
    return this.subscriptions.delete(id);
  }

  list(): Subscription[] {
    return [...this.subscriptions.values()];
  }

  get(id: string): Subscription | undefined {
    return this.subscriptions.get(id);
  }

  /** Has any active subscription for this topic? Lets callers skip building the item. */
  listens(topic: string): boolean {
    for (const s of this.subscriptions.values()) if (s.active && wants(s, topic)) return true;
    return false;
  }

  emit(topic: string, item: (version: ApiVersion) => unknown, only?: Subscription): void {
    if (this.closed) return;
    const createdAt = this.now();
    for (const subscription of only === undefined ? this.subscriptions.values() : [only]) {
      if (!subscription.active) continue;
      if (!wants(subscription, topic)) continue;
      const job: Job = {
        subscription,
        notificationId: `notif_${randomUUID()}`,
        topic,
        item: item(subscription.version),
        createdAt,
        attempt: 1,
      };
      this.queue.push(job);
      if (this.settings.duplicates) this.queue.push({ ...job });
    }
    this.schedule();
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue = [];
    this.wake();
  }

  reset(): void {
    this.subscriptions.clear();
    this.log.length = 0;
    this.delivered = 0;
    this.failed = 0;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue = [];
    this.wake();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0 && this.timers.size === 0;
  }

  private wake(): void {
    if (!this.isIdle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Delivery happens after the API response, as Intercom's does.
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.queue;
      this.queue = [];
      if (this.settings.shuffle) {
        for (let i = batch.length - 1; i > 0; i--) {
          const j = Math.floor(this.random() * (i + 1));
          [batch[i], batch[j]] = [batch[j] as Job, batch[i] as Job];
        }
      }
      for (const job of batch) void this.deliver(job);
      this.wake();
    });
  }

  envelope(job: Job) {
    return {
      type: 'notification_event',
      app_id: this.appId,
      data: { type: 'notification_event_data', item: job.item },
      links: {},
      id: job.notificationId,
      topic: job.topic,
      delivery_status: 'pending',
      delivery_attempts: job.attempt,
      delivered_at: 0,
      first_sent_at: job.createdAt,
      created_at: job.createdAt,
      self: null,
    };
  }

  private async deliver(job: Job): Promise<void> {
    this.inFlight += 1;
    const started = performance.now();
    const raw = JSON.stringify(this.envelope(job));
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(job.subscription.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'User-Agent': 'intercom-parrot-service-client/1.0',
          'X-Hub-Signature': sign(this.secret, raw),
        },
        body: raw,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      status = response.status;
      await response.body?.cancel();
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    }
    const ok = status !== null && status >= 200 && status < 300;
    let outcome: DeliveryRecord['outcome'];
    if (ok) {
      outcome = 'delivered';
      this.delivered += 1;
    } else if (status === 410) {
      outcome = 'subscription_disabled';
      job.subscription.active = false;
      job.subscription.disabled_reason = '410 Gone from the endpoint';
      this.failed += 1;
    } else if (job.attempt === 1 && !this.closed) {
      outcome = 'retry_scheduled';
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.queue.push({ ...job, attempt: 2 });
        this.schedule();
      }, this.settings.retryDelayMs);
      timer.unref();
      this.timers.add(timer);
    } else {
      outcome = 'failed';
      this.failed += 1;
    }
    this.log.push({
      notification_id: job.notificationId,
      subscription_id: job.subscription.id,
      topic: job.topic,
      url: job.subscription.url,
      attempt: job.attempt,
      status,
      error,
      outcome,
      at: this.now(),
      duration_ms: Math.round(performance.now() - started),
    });
    if (this.log.length > 10_000) this.log.splice(0, this.log.length - 10_000);
    this.inFlight -= 1;
    this.wake();
  }
}
