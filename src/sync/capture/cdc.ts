// The Salesforce Change Data Capture subscriber: one subscription per channel, resumed from the
// stored replay id. A subscription that fails (or an event that could not be stored) is dropped
// and made again from the checkpoint after a backoff, so no event is skipped; a grant that no
// longer works pauses the subscriber until the connection is made again.
import type { Logger } from 'pino';
import type {
  ChangeSubscription,
  ConnectorError,
  SalesforceConnector,
} from '../../connectors/index.ts';
import { reconnectDelay } from './backoff.ts';
import { captureChangeEvent, type ChangeEventDeps } from './cdc-event.ts';
import { readReplayId } from './checkpoint.ts';

export const defaultCdcChannels = ['/data/LeadChangeEvent', '/data/ContactChangeEvent'] as const;

export interface CdcSubscriberOptions extends ChangeEventDeps {
  readonly connector: Pick<SalesforceConnector, 'subscribeChanges'>;
  readonly log: Logger;
  readonly channels?: readonly string[];
  /**
   * Where a channel without a checkpoint starts: -1 (new events; the SystemModstamp poll covers
   * what came before) or -2 (everything retained, 72 hours).
   */
  readonly initialReplayId?: number;
  readonly reconnect?: { readonly baseMs: number; readonly maxMs: number };
  /** The stored grant stopped working (refresh refused): the subscriber has paused. */
  readonly onNeedsReconnect: (error: ConnectorError) => void | Promise<void>;
}

export type CdcState = 'stopped' | 'subscribing' | 'subscribed' | 'reconnecting' | 'paused';

export interface CdcSubscriber {
  /** Resolves once every channel is subscribed, waiting to retry, or paused. */
  start(): Promise<void>;
  stop(): Promise<void>;
  state(channel: string): CdcState;
}

export function createCdcSubscriber(options: CdcSubscriberOptions): CdcSubscriber {
  const channels = options.channels ?? defaultCdcChannels;
  const runners = new Map(channels.map((channel) => [channel, channelRunner(channel, options)]));
  return {
    async start() {
      await Promise.all([...runners.values()].map((r) => r.start()));
    },
    async stop() {
      await Promise.all([...runners.values()].map((r) => r.stop()));
    },
    state: (channel) => runners.get(channel)?.state() ?? 'stopped',
  };
}

function channelRunner(channel: string, options: CdcSubscriberOptions) {
  const log = options.log.child({ channel });
  const backoff = options.reconnect ?? { baseMs: 1000, maxMs: 60_000 };
  let state: CdcState = 'stopped';
  // Every (re)subscription gets a generation; callbacks of an older one are ignored.
  let generation = 0;
  let subscription: ChangeSubscription | undefined;
  let attempts = 0;
  let timer: NodeJS.Timeout | undefined;

  const drop = (): void => {
    generation++;
    const old = subscription;
    subscription = undefined;
    if (old) void old.cancel();
  };

  const failed = (gen: number, error: ConnectorError): void => {
    if (gen !== generation || state === 'stopped' || state === 'paused') return;
    drop();
    if (error.code === 'auth_failed' && error.needsReconnect) {
      state = 'paused';
      log.error({ error }, 'Salesforce refused the stored grant: change capture paused');
      void Promise.resolve(options.onNeedsReconnect(error)).catch((e: unknown) =>
        log.error({ err: e }, 'could not mark the Salesforce connection as needing reconnect'),
      );
      return;
    }
    attempts++;
    const delay = reconnectDelay(attempts, backoff);
    state = 'reconnecting';
    log.warn({ error, attempts, delayMs: delay }, 'change subscription lost; subscribing again');
    const next = generation;
    timer = setTimeout(() => {
      timer = undefined;
      if (next === generation && state === 'reconnecting') void subscribe();
    }, delay);
  };

  const subscribe = async (): Promise<void> => {
    const gen = ++generation;
    state = 'subscribing';
    let replayId: number;
    try {
      replayId =
        (await readReplayId(options.checkpoints, channel)) ?? options.initialReplayId ?? -1;
    } catch (error) {
      return failed(gen, storeError(error));
    }
    if (gen !== generation) return;
    const current = options.connector.subscribeChanges({
      channel,
      replayId,
      onEvent: async (event) => {
        if (gen !== generation) throw new Error('superseded subscription');
        try {
          await captureChangeEvent(options, channel, event);
          attempts = 0;
        } catch (error) {
          // Later events must not move the checkpoint past this one: subscribe again from it.
          failed(gen, storeError(error));
          throw error;
        }
      },
      onError: (error) => {
        if (gen !== generation) return;
        // The connector renews an expired session itself and says so.
        if (error.code === 'session_expired') return log.warn({ error }, 'renewing the session');
        failed(gen, error);
      },
    });
    subscription = current;
    const ready = await current.ready;
    if (gen !== generation) return;
    if (!ready.ok) return failed(gen, ready.error);
    state = 'subscribed';
    attempts = 0;
    log.info({ replayId }, 'subscribed to Salesforce changes');
  };

  return {
    state: () => state,
    async start() {
      if (state !== 'stopped' && state !== 'paused') return;
      await subscribe();
    },
    async stop() {
      state = 'stopped';
      if (timer) clearTimeout(timer);
      timer = undefined;
      generation++;
      const old = subscription;
      subscription = undefined;
      await old?.cancel();
    },
  };
}

const storeError = (error: unknown): ConnectorError => ({
  system: 'salesforce',
  code: 'upstream',
  message: `could not capture a change event: ${error instanceof Error ? error.message : String(error)}`,
});
