import type { Migration } from './migration.ts';

/**
 * Backfills (issue 6): one row per backfill with its position and counts, and the snapshot of
 * both systems it works from (`backfill_records`, one row per staged Intercom contact or
 * Salesforce Lead/Contact, with the keys matching looks records up by). A record is staged at
 * most once per backfill; the rows are deleted when the backfill ends.
 */
export const backfills: Migration = {
  id: 4,
  name: 'backfills',
  sqlite: [
    `CREATE TABLE backfills (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      direction TEXT NOT NULL,
      objects TEXT NOT NULL,
      status TEXT NOT NULL,
      phase TEXT NOT NULL,
      total INTEGER,
      done INTEGER NOT NULL,
      errors INTEGER NOT NULL,
      position TEXT NOT NULL,
      counts TEXT NOT NULL,
      summary TEXT,
      started_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      finished_at INTEGER
    )`,
    `CREATE TABLE backfill_records (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      backfill_id INTEGER NOT NULL,
      system TEXT NOT NULL,
      record_id TEXT NOT NULL,
      email_key TEXT,
      identifier_key TEXT,
      data TEXT NOT NULL
    )`,
    `CREATE UNIQUE INDEX backfill_records_id ON backfill_records (backfill_id, system, record_id)`,
    `CREATE INDEX backfill_records_email ON backfill_records (backfill_id, system, email_key)
      WHERE email_key IS NOT NULL`,
    `CREATE INDEX backfill_records_identifier ON backfill_records (backfill_id, system, identifier_key)
      WHERE identifier_key IS NOT NULL`,
  ],
  postgres: [
    `CREATE TABLE backfills (
      id BIGSERIAL PRIMARY KEY,
      direction TEXT NOT NULL,
      objects TEXT NOT NULL,
      status TEXT NOT NULL,
      phase TEXT NOT NULL,
      total BIGINT,
      done BIGINT NOT NULL,
      errors BIGINT NOT NULL,
      position TEXT NOT NULL,
      counts TEXT NOT NULL,
      summary TEXT,
      started_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      finished_at BIGINT
    )`,
    `CREATE TABLE backfill_records (
      seq BIGSERIAL PRIMARY KEY,
      backfill_id BIGINT NOT NULL,
      system TEXT NOT NULL,
      record_id TEXT NOT NULL,
      email_key TEXT,
      identifier_key TEXT,
      data TEXT NOT NULL
    )`,
    `CREATE UNIQUE INDEX backfill_records_id ON backfill_records (backfill_id, system, record_id)`,
    `CREATE INDEX backfill_records_email ON backfill_records (backfill_id, system, email_key)
      WHERE email_key IS NOT NULL`,
    `CREATE INDEX backfill_records_identifier ON backfill_records (backfill_id, system, identifier_key)
      WHERE identifier_key IS NOT NULL`,
  ],
};
