import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { backfillsRepository, type BackfillsRepository } from './backfills.ts';
import { credentialsRepository, type CredentialsRepository } from './credentials.ts';
import { checkpointsRepository, type CheckpointsRepository } from './checkpoints.ts';
import { eventsRepository, type EventsRepository } from './events.ts';
import { failuresRepository, type FailuresRepository } from './failures.ts';
import { inboxRepository, type InboxRepository } from './inbox.ts';
import { linksRepository, type LinksRepository } from './links.ts';
import { migrate, migrationStatus, type MigrationStatus } from './migrator.ts';
import type { Dialect } from './migrations/index.ts';
import type { Database } from './schema.ts';
import type { SecretBox } from './secret-box.ts';
import { settingsRepository, type SettingsRepository } from './settings.ts';
import { openSqlite } from './sqlite-dialect.ts';

export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly file: string }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly poolSize?: number;
      readonly schema?: string;
    };

export interface StoreOptions {
  readonly location: StoreLocation;
  readonly secretBox: SecretBox;
  readonly now?: () => number;
}

/** The database, whichever adapter holds it. */
export interface Store {
  readonly dialect: Dialect;
  /** The typed query builder, for repositories and the embedded job engine. Rows stay in store/ callers. */
  readonly db: Kysely<Database>;
  readonly settings: SettingsRepository;
  readonly credentials: CredentialsRepository;
  readonly events: EventsRepository;
  /** Identity links Intercom contact ↔ Salesforce Lead/Contact, with per-link sync state. */
  readonly links: LinksRepository;
  /** Webhook and CDC events, stored before they are acknowledged. */
  readonly inbox: InboxRepository;
  /** Stream and sweep positions, with versions. */
  readonly checkpoints: CheckpointsRepository;
  /** The needs-attention list. */
  readonly failures: FailuresRepository;
  /** Backfills and the records they staged. */
  readonly backfills: BackfillsRepository;
  /**
   * Runs `work` in one database transaction with repositories bound to it: all its writes
   * happen, or none. Never call an API inside it.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  migrate(): Promise<{ applied: number[] }>;
  migrationStatus(): Promise<MigrationStatus>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The repositories a transaction may write through. */
export interface StoreTransaction {
  readonly links: LinksRepository;
  readonly events: EventsRepository;
  readonly failures: FailuresRepository;
  readonly backfills: BackfillsRepository;
}

// BIGINT (int8) columns hold epoch milliseconds and ids, well inside a double's exact range.
const int8 = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === int8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function openStore(options: StoreOptions): Store {
  const now = options.now ?? Date.now;
  const { location } = options;
  let db: Kysely<Database>;
  if (location.kind === 'sqlite') {
    if (location.file !== ':memory:') mkdirSync(dirname(location.file), { recursive: true });
    db = new Kysely<Database>({ dialect: openSqlite({ file: location.file }).dialect });
  } else {
    const pool = new pg.Pool({
      connectionString: location.url,
      max: location.poolSize ?? 10,
      types: pgTypes,
      ...(location.schema ? { options: `-c search_path=${location.schema}` } : {}),
    });
    // An idle client that loses its connection must not bring the process down.
    pool.on('error', () => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const dialect: Dialect = location.kind;
  return {
    dialect,
    db,
    settings: settingsRepository(db, now),
    credentials: credentialsRepository(db, options.secretBox, now),
    events: eventsRepository(db, now),
    links: linksRepository(db, now),
    inbox: inboxRepository(db, now),
    checkpoints: checkpointsRepository(db, now),
    failures: failuresRepository(db, now),
    backfills: backfillsRepository(db, now),
    transaction: (work) =>
      db.transaction().execute((trx) =>
        work({
          links: linksRepository(trx, now),
          events: eventsRepository(trx, now),
          failures: failuresRepository(trx, now),
          backfills: backfillsRepository(trx, now),
        }),
      ),
    migrate: () => migrate(db, dialect, now),
    migrationStatus: () => migrationStatus(db, dialect),
    ping: async () => {
      await sql`SELECT 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
