import type { Migration } from './migration.ts';

/**
 * The embedded job engine gives up `job_key` when it claims a job (so a change arriving while
 * the job runs queues a fresh one), but must still know the key of what is running, so the
 * fresh job waits for it instead of running beside it: `running_key`. PostgreSQL needs
 * nothing here: graphile-worker keeps its own tables in its own schema.
 */
export const jobEngineKeys: Migration = {
  id: 2,
  name: 'job_engine_keys',
  sqlite: [
    `ALTER TABLE jobs ADD COLUMN running_key TEXT`,
    `CREATE INDEX jobs_running_key ON jobs (running_key) WHERE running_key IS NOT NULL`,
    `CREATE INDEX jobs_locked_by ON jobs (locked_by) WHERE locked_by IS NOT NULL`,
  ],
  postgres: [],
};
