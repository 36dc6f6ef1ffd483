import type { Migration } from './migration.ts';

export const foundation: Migration = {
  id: 1,
  name: 'foundation',
  sqlite: [
    `CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      version INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      updated_by TEXT NOT NULL
    )`,
    `CREATE TABLE settings_history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL,
      value TEXT,
      version INTEGER NOT NULL,
      changed_at INTEGER NOT NULL,
      changed_by TEXT NOT NULL
    )`,
    `CREATE INDEX settings_history_key ON settings_history (key, version)`,
    `CREATE TABLE credentials (
      name TEXT PRIMARY KEY,
      sealed TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
    `CREATE TABLE events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      kind TEXT NOT NULL,
      subject TEXT,
      data TEXT NOT NULL
    )`,
    `CREATE INDEX events_subject ON events (subject, id)`,
    `CREATE INDEX events_kind ON events (kind, id)`,
    `CREATE TRIGGER events_no_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'events are append-only'); END`,
    `CREATE TRIGGER events_no_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'events are append-only'); END`,
    `CREATE TABLE jobs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      task TEXT NOT NULL,
      payload TEXT NOT NULL,
      job_key TEXT,
      lane TEXT NOT NULL,
      lane_rank INTEGER NOT NULL,
      priority INTEGER NOT NULL DEFAULT 0,
      run_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      max_attempts INTEGER NOT NULL,
      last_error TEXT,
      locked_by TEXT,
      locked_until INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
    // Only a job that is not yet running holds its key; a running job gives it up, so a change
    // that arrives while it runs queues a fresh job instead of being lost.
    `CREATE UNIQUE INDEX jobs_pending_key ON jobs (job_key) WHERE job_key IS NOT NULL`,
    `CREATE INDEX jobs_ready ON jobs (lane_rank, priority, run_at, id) WHERE attempts < max_attempts`,
  ],
  postgres: [
    `CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      version INTEGER NOT NULL,
      updated_at BIGINT NOT NULL,
      updated_by TEXT NOT NULL
    )`,
    `CREATE TABLE settings_history (
      id BIGSERIAL PRIMARY KEY,
      key TEXT NOT NULL,
      value TEXT,
      version INTEGER NOT NULL,
      changed_at BIGINT NOT NULL,
      changed_by TEXT NOT NULL
    )`,
    `CREATE INDEX settings_history_key ON settings_history (key, version)`,
    `CREATE TABLE credentials (
      name TEXT PRIMARY KEY,
      sealed TEXT NOT NULL,
      updated_at BIGINT NOT NULL
    )`,
    `CREATE TABLE events (
      id BIGSERIAL PRIMARY KEY,
      at BIGINT NOT NULL,
      kind TEXT NOT NULL,
      subject TEXT,
      data TEXT NOT NULL
    )`,
    `CREATE INDEX events_subject ON events (subject, id)`,
    `CREATE INDEX events_kind ON events (kind, id)`,
    `CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'events are append-only'; END $$`,
    `CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_append_only()`,
  ],
};
