// ChangeCapture: the long-running part of `tandem serve` that turns changes into jobs. It holds
// the capture lease (lease.ts), and while both connections exist runs, per system:
// Salesforce — the CDC subscriber and the SystemModstamp poll; Intercom — the reconciliation
// sweep. A connection marked "needs reconnect" pauses its system; a new `tandem connect`
// (a new version of the connection setting) resumes it on the next supervision tick.
import type { Logger } from 'pino';
import type { ConnectorError, PersonObject } from '../../connectors/index.ts';
import type {
  CheckpointsRepository,
  CredentialsRepository,
  EventsRepository,
  InboxRepository,
  SettingsRepository,
} from '../../store/index.ts';
import {
  connectionKeys,
  markNeedsReconnect,
  openIntercom,
  openSalesforce,
  type ConnectorFactories,
  type NeedsReconnect,
} from '../connections.ts';
import type { BudgetTracker } from '../budget.ts';
import { createCdcSubscriber, type CdcSubscriber } from './cdc.ts';
import { sweepIntercom } from './intercom-sweep.ts';
import type { JobSink } from './jobs.ts';
import { acquireLease, releaseLease } from './lease.ts';
import { repeat, type Repeater } from './loop.ts';
import { pollSalesforce } from './salesforce-poll.ts';

export interface CaptureSettings {
  readonly salesforcePollMs: number;
  readonly salesforceOverlapMs: number;
  readonly intercomSweepMs: number;
  readonly intercomOverlapMs: number;
  /** How long the capture lease lasts without renewal; renewed every third of it. */
  readonly leaseMs: number;
  /** CDC channels; default Lead and Contact change events. */
  readonly channels?: readonly string[];
  readonly reconnect?: { readonly baseMs: number; readonly maxMs: number };
}

export interface ChangeCaptureOptions {
  readonly store: {
    readonly settings: SettingsRepository;
    readonly credentials: CredentialsRepository;
    readonly checkpoints: CheckpointsRepository;
    readonly inbox: InboxRepository;
    readonly events: EventsRepository;
  };
  readonly jobs: JobSink;
  readonly factories: ConnectorFactories;
  readonly log: Logger;
  /** This process, as the lease names it. */
  readonly holder: string;
  readonly settings: CaptureSettings;
  readonly now?: () => number;
  /** The API budget: the SystemModstamp poll skips its rounds while live work is paused. */
  readonly budget?: Pick<BudgetTracker, 'check'>;
}

export type SystemState = 'stopped' | 'running' | 'paused' | 'not_connected';

export interface ChangeCapture {
  start(): Promise<void>;
  /** Stops every part, waits for runs in flight, and gives the lease up. */
  stop(): Promise<void>;
  status(): {
    readonly leader: boolean;
    readonly salesforce: SystemState;
    readonly intercom: SystemState;
  };
  /** One supervision step now (tests; the timer does it every third of the lease). */
  tick(): Promise<void>;
}

interface Part {
  /** The connection setting's version the part was started on. */
  readonly version: string;
  readonly state: SystemState;
  stop(): Promise<void>;
}

const idle = (version: string, state: SystemState): Part => ({
  version,
  state,
  stop: async () => {},
});

export function createChangeCapture(options: ChangeCaptureOptions): ChangeCapture {
  const { store, log, settings } = options;
  const now = options.now ?? Date.now;
  let leader = false;
  let salesforce: Part | undefined;
  let intercom: Part | undefined;
  let supervisor: Repeater | undefined;
  let ticking: Promise<void> = Promise.resolve();

  const needsReconnect = (system: 'salesforce' | 'intercom', error: ConnectorError) =>
    markNeedsReconnect(store, system, error.message, new Date(now())).then((marked) => {
      if (marked) log.error({ system, error }, 'connection needs reconnect: capture paused');
    });

  const stopParts = async (): Promise<void> => {
    await Promise.all([salesforce?.stop(), intercom?.stop()]);
    salesforce = undefined;
    intercom = undefined;
  };

  const startSalesforce = async (version: string, paused: boolean): Promise<Part> => {
    if (paused) return idle(version, 'paused');
    const opened = await openSalesforce(store, options.factories, {
      onStoreError: (error) => log.error({ err: error }, 'could not store refreshed tokens'),
    });
    if (!opened) return idle(version, 'not_connected');
    const { connector } = opened;
    const objects: readonly PersonObject[] = ['Lead', 'Contact'];
    // CDC first, so that the poll's first watermark finds the subscription in place.
    const later: { poll?: Repeater } = {};
    const cdc: CdcSubscriber = createCdcSubscriber({
      ...store,
      connector,
      jobs: options.jobs,
      log,
      ...(settings.channels ? { channels: settings.channels } : {}),
      ...(settings.reconnect ? { reconnect: settings.reconnect } : {}),
      onOverflow: () => later.poll?.trigger(),
      onNeedsReconnect: (error) => needsReconnect('salesforce', error),
    });
    await cdc.start();
    const poll = repeat(
      settings.salesforcePollMs,
      async () => {
        for (const object of objects) {
          const outcome = await pollSalesforce(
            {
              ...store,
              connector,
              jobs: options.jobs,
              log,
              now,
              overlapMs: settings.salesforceOverlapMs,
              ...(options.budget ? { budget: options.budget } : {}),
            },
            object,
          );
          if (outcome.ok && outcome.paused) return;
          if (outcome.ok) continue;
          if (outcome.error.code === 'auth_failed' && outcome.error.needsReconnect)
            return needsReconnect('salesforce', outcome.error);
          log.warn(
            { object, error: outcome.error },
            'the SystemModstamp poll failed; next sweep retries',
          );
          return;
        }
      },
      (error) => log.error({ err: error }, 'the SystemModstamp poll failed'),
    );
    later.poll = poll;
    return {
      version,
      state: 'running',
      stop: async () => {
        await Promise.all([cdc.stop(), poll.stop()]);
      },
    };
  };

  const startIntercom = async (version: string, paused: boolean): Promise<Part> => {
    if (paused) return idle(version, 'paused');
    const opened = await openIntercom(store, options.factories);
    if (!opened) return idle(version, 'not_connected');
    const { connector } = opened;
    const sweep = repeat(
      settings.intercomSweepMs,
      async () => {
        const outcome = await sweepIntercom({
          ...store,
          connector,
          jobs: options.jobs,
          log,
          now,
          overlapMs: settings.intercomOverlapMs,
        });
        if (outcome.ok) return;
        if (outcome.error.code === 'auth_failed' && outcome.error.needsReconnect)
          return needsReconnect('intercom', outcome.error);
        log.warn({ error: outcome.error }, 'the Intercom sweep failed; the next one retries');
      },
      (error) => log.error({ err: error }, 'the Intercom sweep failed'),
    );
    return { version, state: 'running', stop: () => sweep.stop() };
  };

  const supervise = async (): Promise<void> => {
    leader = await acquireLease(store.checkpoints, options.holder, now(), settings.leaseMs);
    if (!leader) return stopParts();
    const sf = await store.settings.get(connectionKeys.salesforce);
    const ic = await store.settings.get(connectionKeys.intercom);
    // Both sides must be connected: a change on one side has nowhere to go without the other.
    if (!sf || !ic) return stopParts();
    const sfVersion = String(sf.version);
    const icVersion = String(ic.version);
    const paused = (value: unknown) =>
      (value as { needsReconnect?: NeedsReconnect }).needsReconnect !== undefined;
    if (salesforce?.version !== sfVersion) {
      await salesforce?.stop();
      salesforce = await startSalesforce(sfVersion, paused(sf.value));
      log.info({ state: salesforce.state }, 'Salesforce change capture');
    }
    if (intercom?.version !== icVersion) {
      await intercom?.stop();
      intercom = await startIntercom(icVersion, paused(ic.value));
      log.info({ state: intercom.state }, 'Intercom change capture');
    }
  };

  const tick = (): Promise<void> => {
    ticking = ticking.then(supervise).catch((error: unknown) => {
      log.error({ err: error }, 'change capture supervision failed');
    });
    return ticking;
  };

  return {
    async start() {
      if (supervisor) return;
      supervisor = repeat(Math.max(1, Math.floor(settings.leaseMs / 3)), tick, () => {});
      await ticking;
    },
    async stop() {
      await supervisor?.stop();
      supervisor = undefined;
      await ticking;
      await stopParts();
      if (leader) await releaseLease(store.checkpoints, options.holder).catch(() => {});
      leader = false;
    },
    status: () => ({
      leader,
      salesforce: salesforce?.state ?? 'stopped',
      intercom: intercom?.state ?? 'stopped',
    }),
    tick,
  };
}
