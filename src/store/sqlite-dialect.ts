import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';

export interface SqliteOptions {
  /** Path of the database file, or ':memory:'. */
  readonly file: string;
  /** How long a writer waits for another connection's lock before failing. */
  readonly busyTimeoutMs?: number;
}

/**
 * Kysely's SQLite dialect speaks the better-sqlite3 interface; this adapter lets it drive
 * Node's built-in `node:sqlite` instead, so the embedded store needs no native add-on.
 */
export function openSqlite(options: SqliteOptions): { dialect: SqliteDialect; raw: DatabaseSync } {
  const raw = new DatabaseSync(options.file, { timeout: options.busyTimeoutMs ?? 5000 });
  raw.exec('PRAGMA journal_mode = WAL');
  raw.exec('PRAGMA synchronous = NORMAL');
  raw.exec('PRAGMA foreign_keys = ON');
  const statements = new Map<string, SqliteStatement>();
  const database: SqliteDatabase = {
    close: () => raw.close(),
    prepare: (sql) => {
      // Kysely runs one query at a time on this connection, so a prepared statement is reused
      // for the same SQL text: preparing anew was a tenth of a backfill's CPU time.
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = adaptStatement(raw, sql);
        if (statements.size >= statementCacheSize)
          statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
  return { dialect: new SqliteDialect({ database }), raw };
}

/** Prepared statements kept, least recently used dropped first. */
const statementCacheSize = 500;

function adaptStatement(raw: DatabaseSync, sql: string): SqliteStatement {
  const statement = raw.prepare(sql);
  const params = (values: ReadonlyArray<unknown>): SQLInputValue[] => values.map(toSqlite);
  return {
    reader: statement.columns().length > 0,
    all: (values) => statement.all(...params(values)),
    run: (values) => {
      const result = statement.run(...params(values));
      return { changes: result.changes, lastInsertRowid: result.lastInsertRowid };
    },
    iterate: (values) => statement.iterate(...params(values)),
  };
}

function toSqlite(value: unknown): SQLInputValue {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value as SQLInputValue;
}
