import type { Logger } from 'pino';
import { formatSummary, summaryHeadline } from './progress.ts';
import type { BackfillSummary } from './report-types.ts';

/** Where a finished backfill's summary goes; the shape of `config.notify`. */
export interface BackfillNotifySettings {
  readonly webhookUrl?: string;
  readonly smtp?: {
    readonly url: string;
    readonly from: string;
    readonly to: readonly string[];
  };
}

export interface BackfillNotifyDeps {
  readonly fetch?: typeof fetch;
  readonly log: Logger;
  /** Per webhook attempt and per SMTP stage (connection, greeting, socket idle). */
  readonly timeoutMs?: number;
  /** Pause before the webhook's one retry. */
  readonly retryDelayMs?: number;
}

export type ChannelOutcome = 'sent' | { readonly error: string };

/** What happened on each configured channel; a channel that is not set up is absent. */
export interface NotifyOutcome {
  readonly webhook?: ChannelOutcome;
  readonly email?: ChannelOutcome;
}

export interface BackfillWebhookBody {
  readonly event: 'backfill.completed' | 'backfill.failed';
  readonly summary: BackfillSummary;
}

const defaultTimeoutMs = 10_000;
const defaultRetryDelayMs = 1_000;

/**
 * Sends a finished backfill's summary to the webhook and by e-mail, whichever is set up, and
 * answers what happened on each. Never throws: a notification that cannot be delivered is
 * logged and reported, and never fails the backfill it reports on.
 */
export async function notifyBackfillDone(
  summary: BackfillSummary,
  settings: BackfillNotifySettings,
  deps: BackfillNotifyDeps,
): Promise<NotifyOutcome> {
  const [webhook, email] = await Promise.all([
    settings.webhookUrl === undefined
      ? undefined
      : guarded(() => postWebhook(summary, settings.webhookUrl!, deps)),
    settings.smtp === undefined
      ? undefined
      : guarded(() => sendEmail(summary, settings.smtp!, deps)),
  ]);
  const outcome: NotifyOutcome = {
    ...(webhook === undefined ? {} : { webhook }),
    ...(email === undefined ? {} : { email }),
  };
  for (const [channel, result] of Object.entries(outcome) as [string, ChannelOutcome][]) {
    if (result === 'sent')
      deps.log.info({ backfill: summary.id, channel }, 'sent the backfill summary');
    else
      deps.log.warn(
        { backfill: summary.id, channel, error: result.error },
        'could not send the backfill summary',
      );
  }
  return outcome;
}

/** A channel's outcome, whatever went wrong inside it. */
async function guarded(send: () => Promise<ChannelOutcome>): Promise<ChannelOutcome> {
  try {
    return await send();
  } catch (error) {
    return { error: errorText(error) };
  }
}

export function webhookEvent(summary: BackfillSummary): BackfillWebhookBody['event'] {
  // A cancelled backfill did not complete; its summary's status tells it from a failure.
  return summary.status === 'completed' ? 'backfill.completed' : 'backfill.failed';
}

/**
 * POSTs `{ event, summary }` as JSON. One retry after a 5xx, a timeout or a network error; a
 * 4xx is the receiver refusing the request, which a retry would not change. Errors name the
 * host only: a webhook URL often carries its secret in the path.
 */
async function postWebhook(
  summary: BackfillSummary,
  url: string,
  deps: BackfillNotifyDeps,
): Promise<ChannelOutcome> {
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? defaultTimeoutMs;
  const host = new URL(url).host;
  const body: BackfillWebhookBody = { event: webhookEvent(summary), summary };
  const text = JSON.stringify(body);
  let lastError = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    if (attempt > 1) await delay(deps.retryDelayMs ?? defaultRetryDelayMs);
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Tandem' },
        body: text,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The body is not needed; reading it lets the connection be reused or closed.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return 'sent';
      lastError = `${host} answered HTTP ${response.status}`;
      if (response.status < 500) break;
    } catch (error) {
      lastError =
        (error as Error).name === 'TimeoutError'
          ? `${host} did not answer within ${timeoutMs / 1000} s`
          : `${host} could not be reached: ${errorText(error)}`;
    }
  }
  return { error: lastError };
}

/** One e-mail to every recipient, through the SMTP URL (smtps:// for TLS from the start). */
async function sendEmail(
  summary: BackfillSummary,
  smtp: NonNullable<BackfillNotifySettings['smtp']>,
  deps: BackfillNotifyDeps,
): Promise<ChannelOutcome> {
  const timeoutMs = deps.timeoutMs ?? defaultTimeoutMs;
  // Loaded only when an e-mail goes out: most processes never send one.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    url: smtp.url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 3,
  });
  try {
    await transport.sendMail({
      from: smtp.from,
      to: [...smtp.to],
      subject: emailSubject(summary),
      text: `${formatSummary(summary)}\n\n— Tandem\n`,
    });
    return 'sent';
  } finally {
    transport.close();
  }
}

/** "Tandem backfill #12 completed: 100,000 records in 1m 4s". */
export function emailSubject(summary: BackfillSummary): string {
  return `Tandem backfill #${summary.id} ${summary.status}: ${summaryHeadline(summary)}`;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch wraps the socket error (ECONNREFUSED, ENOTFOUND, …) in a bare "fetch failed".
  const cause = (error as Error & { cause?: unknown }).cause;
  const code =
    (cause as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string'
    ? `${code}: ${(cause as Error)?.message ?? error.message}`
    : error.message;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
