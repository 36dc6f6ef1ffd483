import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { serve, type ServerType } from '@hono/node-server';
import type { Config } from '../config/index.ts';
import {
  createIntercomConnector,
  createIntercomPacers,
  createSalesforceConnector,
  verifyIntercomSignature,
  type IntercomConnectorOptions,
} from '../connectors/index.ts';
import {
  createEmbeddedEngine,
  createPostgresEngine,
  type JobEngine,
  type TaskList,
} from '../queue/index.ts';
import { createApp, createMetrics, type Metrics } from '../server/index.ts';
import type { Store } from '../store/index.ts';
import { createChangeCapture, type ChangeCapture } from '../sync/capture/index.ts';
import { credentialNames } from '../sync/connections.ts';
import { storedConnections } from '../sync/person-connections.ts';
import { createSalesforceBatcher } from '../sync/salesforce-batcher.ts';
import { createPersonSync } from '../sync/person-sync.ts';
import { budgetedSalesforce, createBudgetTracker } from '../sync/budget.ts';
import { backfillService, backfillTask, createBackfillRunner } from '../backfill/index.ts';
import { notifyBackfillDone } from '../backfill/notify.ts';
import { version } from './version.ts';
import { openDatabase } from './database.ts';
import { ensureAdminToken, StartupError } from './local-state.ts';
import { failureRequeuer } from './requeue.ts';
import type { Logger } from './logger.ts';
import { builtinTasks } from './tasks.ts';

/**
 * `serve`: HTTP, change capture and jobs; `worker`: jobs only (PostgreSQL); `backfill`: jobs
 * only, on either database (`tandem backfill` runs its backfill itself).
 */
export type Role = 'serve' | 'worker' | 'backfill';

export interface Runtime {
  readonly store: Store;
  readonly engine: JobEngine;
  readonly metrics: Metrics;
  /** The HTTP server's address, for `serve`. */
  readonly url: string | undefined;
  /** The admin token, only on the start that generated it. */
  readonly generatedAdminToken: string | undefined;
  readonly workerId: string;
  /** Graceful stop: running jobs finish (or are released), then connections close. */
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly role: Role;
  /** Tasks besides the built-in ones (the sync handlers add theirs here). */
  readonly tasks?: TaskList;
}

/** The one place where the real adapters are built and wired together. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, log, role } = options;
  if (role === 'worker' && config.database.kind !== 'postgres') {
    throw new StartupError(
      'tandem worker needs PostgreSQL: set DATABASE_URL=postgres://… (with the embedded store, `tandem serve` runs the workers itself)',
    );
  }
  const { store, secretKeyGenerated } = await openDatabase(config);
  if (secretKeyGenerated)
    log.warn(
      { dataDir: config.dataDir },
      'generated a new secret key in the data folder; back it up with the database',
    );
  const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let engine: JobEngine | undefined;
  let server: ServerType | undefined;
  let capture: ChangeCapture | undefined;
  // Salesforce writes of jobs running together go out in shared collection calls.
  const salesforceBatcher = createSalesforceBatcher();
  // Aborted at stop: ends the waits of Salesforce calls held by the API budget.
  const halt = new AbortController();
  const jobs$ = (): JobEngine => {
    if (!engine) throw new Error('the job engine is not started yet');
    return engine;
  };
  try {
    const { applied } = await store.migrate();
    if (applied.length > 0) log.info({ applied }, 'applied database migrations');
    // The gauges read the engine when Prometheus scrapes, by then it exists.
    // The API budget governor: per process, fed by this process's Salesforce answers; every
    // Salesforce call waits while the whole share is spent (docs/budget.md).
    const salesforceApi = budgetedSalesforce(() => budget, createSalesforceConnector, halt.signal);
    const budget = createBudgetTracker({
      settings: config.budget,
      events: store.events,
      readUsage: () => salesforceApi.readUsage(),
    });
    // One pacer per Intercom app in the process: people sync and change capture share it.
    const intercomPacers = createIntercomPacers();
    const intercomApi = (o: IntercomConnectorOptions) =>
      createIntercomConnector({
        ...o,
        pacer: intercomPacers.forConnection(o.baseUrl, o.accessToken),
      });
    const metrics: Metrics = createMetrics(
      () => (engine ? engine.stats() : Promise.resolve([])),
      () => budget.status(),
      () => intercomPacers.usage(),
    );
    const connections = storedConnections(
      store,
      { salesforce: salesforceApi.factory, intercom: intercomApi },
      { onStoreError: (error) => log.warn({ err: error }, 'could not store refreshed tokens') },
    );
    const backfills = createBackfillRunner({
      store,
      jobs: { add: (task, payload, jobOptions) => jobs$().add(task, payload, jobOptions) },
      openConnections: connections.openConnections,
      bulkThreshold: config.backfill.bulkThreshold,
      chunkSize: config.backfill.chunkSize,
      admitBulk: (signal) => budget.waitForLane('bulk', signal),
      notify: (summary) =>
        notifyBackfillDone(summary, config.notify, { log: log.child({ component: 'notify' }) }),
    });
    const tasks = {
      ...builtinTasks({ events: store.events, workerId }),
      // People sync: sync.intercom.contact and sync.salesforce.record, on the stored connections.
      ...createPersonSync({ store, salesforceBatcher, budget, ...connections }).tasks,
      [backfillTask]: backfills.task,
      ...options.tasks,
    };
    const common = {
      tasks,
      concurrency: config.concurrency,
      leaseMs: config.jobLeaseMs,
      logger: log,
      observer: {
        onJobFinish: (task: string, lane: string, outcome: string, ms: number) =>
          metrics.observeJob(task, lane, outcome, ms),
      },
    };
    engine =
      config.database.kind === 'sqlite'
        ? createEmbeddedEngine({ ...common, store, workerId })
        : createPostgresEngine({
            ...common,
            connectionString: config.database.url,
            schema: config.queueSchema,
            // Jobs hold no connection while they run; a bounded pool keeps several processes
            // within PostgreSQL's max_connections whatever their concurrency.
            poolSize: Math.min(config.concurrency + 2, 20),
            localQueueSize: config.queueFetchSize,
          });
    const jobs = engine;
    await engine.start();

    let url: string | undefined;
    let generatedAdminToken: string | undefined;
    if (role === 'serve') {
      const adminToken = ensureAdminToken(config);
      generatedAdminToken = adminToken.generated;
      const app = createApp({
        version,
        databaseKind: config.database.kind,
        log,
        metrics,
        database: store,
        settings: store.settings,
        events: store.events,
        ledger: { ...store, requeue: failureRequeuer(jobs) },
        budget: () => budget.status(),
        backfills: backfillService({ backfills: store.backfills, jobs }),
        jobs: {
          counts: () => jobs.stats(),
          failed: async () =>
            (await jobs.failedJobs({ limit: 100 })).map((job) => ({
              id: job.id,
              task: job.task,
              attempts: job.attempts,
              lastError: job.lastError,
            })),
        },
        webhooks: {
          verify: async (raw, header) => {
            const secret = await store.credentials.get(credentialNames.intercomClientSecret);
            if (secret === undefined) {
              log.warn(
                'an Intercom webhook arrived but no client secret is stored to check it: run tandem connect intercom',
              );
              return false;
            }
            const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
            return verifyIntercomSignature(bytes, header, secret);
          },
          store: async (event) => {
            const { event: stored, duplicate } = await store.inbox.add(event);
            return { id: stored.id, duplicate, processed: stored.processedAt !== null };
          },
          enqueue: async (recordKey, inboxId) => {
            const payload: IntercomContactPayload = { recordKey, inboxId };
            await jobs.add(intercomContactTask, payload, { jobKey: recordKey, lane: 'live' });
          },
        },
        isAdminToken: adminToken.verify,
      });
      url = await listen(app.fetch, config, (s) => (server = s));
      // CDC, the SystemModstamp poll and the Intercom sweep, in the one process holding the
      // capture lease (docs/change-capture.md). Not awaited: it connects in the background.
      capture = createChangeCapture({
        store,
        jobs,
        factories: { salesforce: salesforceApi.factory, intercom: intercomApi },
        budget,
        log: log.child({ component: 'capture' }),
        holder: workerId,
        settings: {
          salesforcePollMs: config.salesforcePollSeconds * 1000,
          salesforceOverlapMs: config.salesforcePollOverlapSeconds * 1000,
          intercomSweepMs: config.intercomSweepSeconds * 1000,
          intercomOverlapMs: config.intercomSweepOverlapSeconds * 1000,
          leaseMs: config.jobLeaseMs,
        },
      });
      capture.start().catch((error: unknown) => log.error({ err: error }, 'change capture failed'));
    }
    log.info({ role, workerId, database: config.database.kind, url }, 'tandem started');
    return {
      store,
      engine,
      metrics,
      url,
      generatedAdminToken,
      workerId,
      async stop() {
        log.info({ role }, 'stopping: letting running jobs finish');
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        halt.abort(new Error('tandem is stopping'));
        await capture?.stop();
        await jobs.stop({ graceMs: config.shutdownGraceMs });
        await salesforceBatcher.stop();
        await store.close();
        log.info({ role }, 'stopped');
      },
    };
  } catch (error) {
    halt.abort(new Error('tandem did not start'));
    server?.close();
    await capture?.stop().catch(() => {});
    await engine?.stop({ graceMs: 0 }).catch(() => {});
    await salesforceBatcher.stop().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
}

/** The job an Intercom contact's webhooks queue, keyed by the record so bursts coalesce. */
export const intercomContactTask = 'sync.intercom.contact';

export interface IntercomContactPayload {
  readonly [key: string]: unknown;
  readonly recordKey: string;
  /** The newest inbox event of the record when the job was (re)queued. */
  readonly inboxId: number;
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  config: Config,
  keep: (server: ServerType) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: config.port, hostname: config.host }, (info) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve(`http://${host}:${info.port}`);
    });
    keep(server);
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(
              `TANDEM_PORT: port ${config.port} on ${config.host} is already in use; choose another with --port`,
            )
          : error,
      );
    });
  });
}
