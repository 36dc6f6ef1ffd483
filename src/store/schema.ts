import type { Generated } from 'kysely';

/**
 * The database as Kysely sees it. Times are epoch milliseconds in both dialects (INTEGER in
 * SQLite, BIGINT in PostgreSQL, read back as numbers), JSON is stored as text: one shape for
 * both adapters, so repositories never branch on the dialect.
 */
export interface Database {
  schema_migrations: SchemaMigrationRow;
  settings: SettingRow;
  settings_history: SettingHistoryRow;
  credentials: CredentialRow;
  events: EventRow;
  jobs: JobRow;
  links: LinkRow;
  inbox: InboxRow;
  checkpoints: CheckpointRow;
  failures: FailureRow;
  backfills: BackfillRow;
  backfill_records: BackfillRecordRow;
}

export interface SchemaMigrationRow {
  id: number;
  name: string;
  checksum: string;
  applied_at: number;
}

export interface SettingRow {
  key: string;
  value: string;
  version: number;
  updated_at: number;
  updated_by: string;
}

export interface SettingHistoryRow {
  id: Generated<number>;
  key: string;
  value: string | null;
  version: number;
  changed_at: number;
  changed_by: string;
}

export interface CredentialRow {
  name: string;
  sealed: string;
  updated_at: number;
}

export interface EventRow {
  id: Generated<number>;
  at: number;
  kind: string;
  subject: string | null;
  data: string;
}

/** The embedded job engine's queue (SQLite only; on PostgreSQL graphile-worker keeps its own). */
export interface JobRow {
  id: Generated<number>;
  task: string;
  payload: string;
  job_key: string | null;
  lane: string;
  lane_rank: number;
  priority: number;
  run_at: number;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

/** An identity link; `state` is the JSON of core's `LinkSyncState`. Dropped links keep their row. */
export interface LinkRow {
  id: Generated<number>;
  intercom_id: string;
  salesforce_id: string;
  salesforce_type: string;
  state: string | null;
  version: number;
  created_at: number;
  updated_at: number;
  dropped_at: number | null;
  drop_reason: string | null;
}

/** A webhook or CDC event, stored before it is acknowledged. */
export interface InboxRow {
  id: Generated<number>;
  source: string;
  topic: string;
  event_id: string;
  record_key: string | null;
  received_at: number;
  body: string;
  processed_at: number | null;
}

export interface CheckpointRow {
  name: string;
  value: string;
  version: number;
  updated_at: number;
}

/** An entry of the needs-attention list; `fields` and `payload` are JSON. */
export interface FailureRow {
  id: Generated<number>;
  record_key: string;
  system: string;
  operation: string;
  category: string;
  error_code: string | null;
  message: string;
  fields: string;
  attempts: number;
  first_seen_at: number;
  last_seen_at: number;
  payload: string;
  resolved_at: number | null;
  resolution: string | null;
}

/** A backfill; `objects`, `position`, `counts` and `summary` are JSON. */
export interface BackfillRow {
  id: Generated<number>;
  direction: string;
  objects: string;
  status: string;
  phase: string;
  total: number | null;
  done: number;
  errors: number;
  position: string;
  counts: string;
  summary: string | null;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** A record a backfill staged from one system; `data` is the domain object as JSON. */
export interface BackfillRecordRow {
  seq: Generated<number>;
  backfill_id: number;
  system: string;
  record_id: string;
  email_key: string | null;
  identifier_key: string | null;
  data: string;
}
