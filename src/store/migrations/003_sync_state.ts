import type { Migration } from './migration.ts';

/**
 * Sync state as explicit rows (issue 5): identity links with their per-link state, the webhook
 * and CDC inbox, checkpoints, and the needs-attention list of failures.
 *
 * Links are never deleted: a dropped link keeps its row with the time and the reason, so the
 * uniqueness of each side holds only among live links (partial unique indexes, which both
 * SQLite and PostgreSQL have). Likewise a record has at most one open failure per system and
 * operation; a repeated failure counts attempts on it instead of adding rows.
 */
export const syncState: Migration = {
  id: 3,
  name: 'sync_state',
  sqlite: [
    `CREATE TABLE links (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      intercom_id TEXT NOT NULL,
      salesforce_id TEXT NOT NULL,
      salesforce_type TEXT NOT NULL CHECK (salesforce_type IN ('Lead', 'Contact')),
      state TEXT,
      version INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      dropped_at INTEGER,
      drop_reason TEXT
    )`,
    `CREATE UNIQUE INDEX links_intercom_live ON links (intercom_id) WHERE dropped_at IS NULL`,
    `CREATE UNIQUE INDEX links_salesforce_live ON links (salesforce_id) WHERE dropped_at IS NULL`,
    `CREATE TABLE inbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      source TEXT NOT NULL,
      topic TEXT NOT NULL,
      event_id TEXT NOT NULL,
      record_key TEXT,
      received_at INTEGER NOT NULL,
      body TEXT NOT NULL,
      processed_at INTEGER,
      UNIQUE (source, event_id)
    )`,
    `CREATE INDEX inbox_pending ON inbox (record_key, id) WHERE processed_at IS NULL`,
    `CREATE TABLE checkpoints (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      version INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
    `CREATE TABLE failures (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      record_key TEXT NOT NULL,
      system TEXT NOT NULL,
      operation TEXT NOT NULL,
      category TEXT NOT NULL,
      error_code TEXT,
      message TEXT NOT NULL,
      fields TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      first_seen_at INTEGER NOT NULL,
      last_seen_at INTEGER NOT NULL,
      payload TEXT NOT NULL,
      resolved_at INTEGER,
      resolution TEXT
    )`,
    `CREATE UNIQUE INDEX failures_open ON failures (record_key, system, operation)
      WHERE resolved_at IS NULL`,
    `CREATE INDEX failures_record ON failures (record_key, id)`,
  ],
  postgres: [
    `CREATE TABLE links (
      id BIGSERIAL PRIMARY KEY,
      intercom_id TEXT NOT NULL,
      salesforce_id TEXT NOT NULL,
      salesforce_type TEXT NOT NULL CHECK (salesforce_type IN ('Lead', 'Contact')),
      state TEXT,
      version INTEGER NOT NULL,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      dropped_at BIGINT,
      drop_reason TEXT
    )`,
    `CREATE UNIQUE INDEX links_intercom_live ON links (intercom_id) WHERE dropped_at IS NULL`,
    `CREATE UNIQUE INDEX links_salesforce_live ON links (salesforce_id) WHERE dropped_at IS NULL`,
    `CREATE TABLE inbox (
      id BIGSERIAL PRIMARY KEY,
      source TEXT NOT NULL,
      topic TEXT NOT NULL,
      event_id TEXT NOT NULL,
      record_key TEXT,
      received_at BIGINT NOT NULL,
      body TEXT NOT NULL,
      processed_at BIGINT,
      UNIQUE (source, event_id)
    )`,
    `CREATE INDEX inbox_pending ON inbox (record_key, id) WHERE processed_at IS NULL`,
    `CREATE TABLE checkpoints (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      version INTEGER NOT NULL,
      updated_at BIGINT NOT NULL
    )`,
    `CREATE TABLE failures (
      id BIGSERIAL PRIMARY KEY,
      record_key TEXT NOT NULL,
      system TEXT NOT NULL,
      operation TEXT NOT NULL,
      category TEXT NOT NULL,
      error_code TEXT,
      message TEXT NOT NULL,
      fields TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      first_seen_at BIGINT NOT NULL,
      last_seen_at BIGINT NOT NULL,
      payload TEXT NOT NULL,
      resolved_at BIGINT,
      resolution TEXT
    )`,
    `CREATE UNIQUE INDEX failures_open ON failures (record_key, system, operation)
      WHERE resolved_at IS NULL`,
    `CREATE INDEX failures_record ON failures (record_key, id)`,
  ],
};
