// Change Data Capture through jsforce's streaming (faye/CometD) client, with a replay id.
// jsforce's faye client keeps the access token it was created with and does not refresh it: when
// the handshake is refused (AuthFailure), we renew the session with one REST call (jsforce
// refreshes on its 401) and subscribe again from the last event handed to `onEvent`, so nothing
// between the two subscriptions is lost.
import { StreamingExtension } from 'jsforce/lib/api/streaming.js';
import { err, ok, type ConnectorError, type Result } from '../result.ts';

/** `{schema, payload: {ChangeEventHeader, …fields}, event: {replayId}}` as CometD delivers it. */
export interface ChangeEvent {
  readonly schema?: string;
  readonly payload: {
    readonly ChangeEventHeader: ChangeEventHeader;
    readonly [field: string]: unknown;
  };
  readonly event: { readonly replayId: number };
}

export interface ChangeEventHeader {
  readonly entityName: string;
  readonly recordIds: readonly string[];
  /** CREATE, UPDATE, DELETE, UNDELETE, GAP_*, GAP_OVERFLOW. */
  readonly changeType: string;
  /** `com/salesforce/api/rest/59.0;client=tandem` for Tandem's own writes. */
  readonly changeOrigin: string;
  readonly transactionKey: string;
  readonly sequenceNumber: number;
  readonly commitTimestamp: number;
  readonly commitNumber: number;
  readonly commitUser: string;
  readonly changedFields: readonly string[];
  readonly nulledFields: readonly string[];
  readonly diffFields: readonly string[];
}

export interface SubscribeChangesOptions {
  /** `/data/ChangeEvents`, `/data/LeadChangeEvent`, … */
  readonly channel: string;
  /** -1: new events only; -2: all retained (72 h); N: the events after N (a stored checkpoint). */
  readonly replayId: number;
  /** Called once per event, in order; the next waits for a returned promise. */
  onEvent(event: ChangeEvent): void | Promise<void>;
  /** Subscription trouble (refused handshake, a failed renewal, an onEvent that threw). */
  onError(error: ConnectorError): void;
}

export interface ChangeSubscription {
  /** Settles once the server confirmed the subscription, or it failed for good. */
  readonly ready: Promise<Result<void>>;
  /** The replay id of the last event onEvent finished with (the checkpoint to store). */
  lastReplayId(): number;
  cancel(): Promise<void>;
}

/** What the subscription needs from the connector. */
export interface StreamingHost {
  /** A jsforce Connection with a current session (logged in when it had to be). */
  connection(): Promise<Result<StreamingConnection>>;
  /** One cheap REST call, so that jsforce refreshes an expired session. */
  renewSession(): Promise<Result<unknown>>;
}

export interface StreamingConnection {
  readonly streaming: { createClient(extensions: unknown[]): FayeClient };
}

interface FayeClient {
  subscribe(channel: string, listener: (message: unknown) => void): FayeSubscription;
  disconnect(): void;
}

/**
 * A faye client with a way to end it whatever its state. Faye's `disconnect()` does nothing
 * until the handshake has succeeded, and a failed handshake is retried every few seconds for
 * ever: a subscription cancelled then (Tandem stopping while Salesforce is unreachable, or a
 * session being renewed) would keep retrying and keep the process alive. An outgoing extension
 * drops every message once the client is ended, which ends each loop at its next message, and
 * the dispatcher is closed, which ends the retries of messages already sent (jsforce itself
 * reaches `_dispatcher`, to pick the transport).
 */
function endableClient(
  conn: StreamingConnection,
  extensions: unknown[],
): { readonly client: FayeClient; end(): void } {
  let ended = false;
  const gate = {
    outgoing: (message: unknown, callback: (message: unknown) => void) =>
      callback(ended ? null : message),
  };
  const client = conn.streaming.createClient([...extensions, gate]);
  return {
    client,
    end() {
      if (ended) return;
      client.disconnect();
      ended = true;
      (client as { _dispatcher?: { close?: () => void } })._dispatcher?.close?.();
    },
  };
}
interface FayeSubscription extends PromiseLike<unknown> {
  cancel(): void;
}

// Handshakes refused in a row without an event in between before the subscription gives up.
const maxRenewals = 3;

export function subscribeChanges(
  host: StreamingHost,
  options: SubscribeChangesOptions,
): ChangeSubscription {
  let lastReplayId = options.replayId;
  let client: ReturnType<typeof endableClient> | undefined;
  let cancelled = false;
  let renewals = 0;
  let queue: Promise<void> = Promise.resolve();
  let settle: (result: Result<void>) => void = () => undefined;
  const ready = new Promise<Result<void>>((resolve) => {
    let settled = false;
    settle = (result) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
  });

  const fail = (error: ConnectorError): void => {
    options.onError(error);
    settle(err(error));
  };

  const deliver = (message: unknown): void => {
    const event = message as ChangeEvent;
    queue = queue.then(async () => {
      if (cancelled) return;
      try {
        await options.onEvent(event);
        lastReplayId = event.event.replayId;
        renewals = 0;
      } catch (error) {
        // The handler's own failure: report it and keep the checkpoint before this event.
        options.onError({
          system: 'salesforce',
          code: 'upstream',
          message: `change event handler failed: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    });
  };

  const start = async (): Promise<void> => {
    const conn = await host.connection();
    if (cancelled) return;
    if (!conn.ok) return fail(conn.error);
    const replay = new StreamingExtension.Replay(options.channel, lastReplayId);
    // Faye may report the same refusal on handshake and connect: renew once per client. (The
    // callback runs on a later tick, after `current` is assigned.)
    const authFailure = new StreamingExtension.AuthFailure(() => {
      if (client === current) void renew();
    });
    const current = endableClient(conn.value, [replay, authFailure]);
    client = current;
    current.client.subscribe(options.channel, deliver).then(
      () => settle(ok(undefined)),
      (error: unknown) =>
        fail({
          system: 'salesforce',
          code: 'validation',
          errorCode: 'SUBSCRIBE_FAILED',
          fields: [],
          message: describeFayeError(error),
        }),
    );
  };

  const renew = async (): Promise<void> => {
    client?.end();
    client = undefined;
    if (cancelled) return;
    // Wait for the events already received to be handled, so the new subscription starts
    // after the last one onEvent finished.
    await queue;
    renewals++;
    options.onError({
      system: 'salesforce',
      code: 'session_expired',
      message: 'CometD handshake refused; renewing the session and subscribing again',
    });
    if (renewals > maxRenewals)
      return fail({
        system: 'salesforce',
        code: 'auth_failed',
        message: `CometD handshake refused ${maxRenewals} times in a row`,
        needsReconnect: false,
      });
    const renewed = await host.renewSession();
    if (!renewed.ok) return fail(renewed.error);
    await start();
  };

  void start();

  return {
    ready,
    lastReplayId: () => lastReplayId,
    async cancel() {
      cancelled = true;
      client?.end();
      client = undefined;
      settle(ok(undefined));
      await queue;
    },
  };
}

function describeFayeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error)
    return String((error as { message: unknown }).message);
  return `subscription refused: ${JSON.stringify(error)}`;
}
