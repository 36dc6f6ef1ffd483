import { sql, type Kysely } from 'kysely';
import {
  checksum,
  migrations as allMigrations,
  type Dialect,
  type Migration,
} from './migrations/index.ts';
import type { Database } from './schema.ts';

export interface MigrationStatus {
  readonly applied: readonly { id: number; name: string }[];
  readonly pending: readonly { id: number; name: string }[];
  /** Applied migrations whose file no longer matches what was applied. */
  readonly altered: readonly { id: number; name: string }[];
  /** Applied migrations this version of Tandem does not know (the database is newer). */
  readonly unknown: readonly number[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

// Any fixed number works; it only has to be the same for every Tandem process.
const advisoryLockKey = 7_346_551_209;

async function ensureTable(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function migrationStatus(
  db: Kysely<Database>,
  dialect: Dialect,
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrationStatus> {
  await ensureTable(db);
  const rows = await db.selectFrom('schema_migrations').selectAll().orderBy('id').execute();
  const byId = new Map(rows.map((row) => [Number(row.id), row]));
  const known = new Set(migrations.map((m) => m.id));
  return {
    applied: migrations.filter((m) => byId.has(m.id)).map(({ id, name }) => ({ id, name })),
    pending: migrations.filter((m) => !byId.has(m.id)).map(({ id, name }) => ({ id, name })),
    altered: migrations
      .filter((m) => {
        const row = byId.get(m.id);
        return row !== undefined && row.checksum !== checksum(m, dialect);
      })
      .map(({ id, name }) => ({ id, name })),
    unknown: rows.map((row) => Number(row.id)).filter((id) => !known.has(id)),
  };
}

/**
 * Applies pending migrations, each in its own transaction. On PostgreSQL the whole run holds
 * a session advisory lock, so processes starting together apply each migration once.
 */
export async function migrate(
  db: Kysely<Database>,
  dialect: Dialect,
  now: () => number,
  migrations: readonly Migration[] = allMigrations,
): Promise<{ applied: number[] }> {
  if (dialect === 'sqlite') return applyPending(db, dialect, now, migrations);
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${advisoryLockKey})`.execute(conn);
    try {
      return await applyPending(conn, dialect, now, migrations);
    } finally {
      await sql`SELECT pg_advisory_unlock(${advisoryLockKey})`.execute(conn);
    }
  });
}

async function applyPending(
  db: Kysely<Database>,
  dialect: Dialect,
  now: () => number,
  migrations: readonly Migration[],
): Promise<{ applied: number[] }> {
  const status = await migrationStatus(db, dialect, migrations);
  if (status.altered.length > 0) {
    const names = status.altered.map((m) => `${String(m.id).padStart(3, '0')}_${m.name}`);
    throw new MigrationError(
      `migrations changed after they were applied: ${names.join(', ')} (migrations are forward-only; add a new one instead)`,
    );
  }
  if (status.unknown.length > 0) {
    throw new MigrationError(
      `the database has migrations this version of Tandem does not know (${status.unknown.join(', ')}); upgrade Tandem`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (status.applied.some((m) => m.id === migration.id)) continue;
    await db.transaction().execute(async (trx) => {
      for (const statement of migration[dialect]) await sql.raw(statement).execute(trx);
      await trx
        .insertInto('schema_migrations')
        .values({
          id: migration.id,
          name: migration.name,
          checksum: checksum(migration, dialect),
          applied_at: now(),
        })
        .execute();
    });
    applied.push(migration.id);
  }
  return { applied };
}
