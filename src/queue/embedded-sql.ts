/**
 * The embedded engine's statements over the store's `jobs` table (SQLite). Fixed text with
 * positional parameters, so the query builder does no work on the hot path; `?N` reuses a
 * parameter (the current time) without passing it twice.
 *
 * Key handling: a pending job holds its key in `job_key` (unique), so an add with that key
 * replaces it. A claim moves the key to `running_key`: a new add then inserts a fresh job,
 * which waits while a live lease holds its key (the NOT EXISTS below). A job going back to
 * pending (retry, release) takes its key back unless a fresh job already holds it.
 */

export const insertJob = `
INSERT INTO jobs (task, payload, job_key, lane, lane_rank, priority, run_at, attempts,
  max_attempts, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
ON CONFLICT (job_key) WHERE job_key IS NOT NULL DO UPDATE SET
  task = excluded.task, payload = excluded.payload, lane = excluded.lane,
  lane_rank = excluded.lane_rank, priority = excluded.priority, run_at = excluded.run_at,
  attempts = 0, max_attempts = excluded.max_attempts, last_error = NULL,
  updated_at = excluded.updated_at
RETURNING id`;

/** Unkeyed jobs, `rows` at a time. */
export const insertJobs = (rows: number) => `
INSERT INTO jobs (task, payload, job_key, lane, lane_rank, priority, run_at, attempts,
  max_attempts, created_at, updated_at)
VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)').join(', ')}
RETURNING id`;

/**
 * A running job whose key is added again is superseded: its retries are cancelled (the fresh
 * job carries newer information), as graphile-worker's add_job does for locked jobs.
 */
export const supersedeRunning = `
UPDATE jobs SET attempts = max_attempts, updated_at = ?
WHERE running_key = ? AND locked_by IS NOT NULL AND attempts < max_attempts`;

/**
 * One short write claims a batch: pick ready jobs in lane, priority, run time order (the
 * `jobs_ready` index has that order), skipping jobs whose key a live lease holds, and lock
 * them with a lease. Jobs of a crashed process are ready again once their lease has passed.
 * Rejected: SELECT then UPDATE in a transaction (two statements and a write lock held across
 * an await); a window function to keep one job per key (it reads every ready row per claim).
 * Two jobs with one key in the same batch (only after a crash) are untangled by the caller.
 */
export const claimJobs = `
UPDATE jobs SET locked_by = ?1, locked_until = ?2, attempts = attempts + 1,
  running_key = coalesce(job_key, running_key), job_key = NULL, updated_at = ?3
WHERE id IN (
  SELECT j.id FROM jobs j
  WHERE j.attempts < j.max_attempts AND j.run_at <= ?3
    AND (j.locked_until IS NULL OR j.locked_until < ?3)
    AND j.task IN (SELECT value FROM json_each(?4))
    AND (coalesce(j.job_key, j.running_key) IS NULL OR NOT EXISTS (
      SELECT 1 FROM jobs r
      WHERE r.running_key = coalesce(j.job_key, j.running_key)
        AND r.locked_until >= ?3 AND r.id <> j.id))
  ORDER BY j.lane_rank, j.priority, j.run_at, j.id
  LIMIT ?5)
RETURNING id, task, payload, lane_rank, priority, run_at, attempts, max_attempts, running_key`;

export interface ClaimedRow {
  id: number;
  task: string;
  payload: string;
  lane_rank: number;
  priority: number;
  run_at: number;
  attempts: number;
  max_attempts: number;
  running_key: string | null;
}

/** Completed jobs are deleted, in batches; only while this worker still holds them. */
export const deleteCompleted = `
DELETE FROM jobs WHERE locked_by = ? AND id IN (SELECT value FROM json_each(?))`;

/** The key goes back to `job_key` when the job will run again and no fresh job holds it. */
const restoreKey = `CASE WHEN running_key IS NOT NULL AND attempts < max_attempts
    AND NOT EXISTS (SELECT 1 FROM jobs p WHERE p.job_key = jobs.running_key)
  THEN running_key END`;

/** A failed attempt: back to pending at `run_at`, or left failed with its error. */
export const retryJob = `
UPDATE jobs SET locked_by = NULL, locked_until = NULL, last_error = ?, run_at = ?,
  updated_at = ?, job_key = ${restoreKey}
WHERE id = ? AND locked_by = ?`;

/**
 * A postponed run (PostponeError): back to pending at \`run_at\`, the attempt given back, so a
 * job may wait any number of times without using up its attempts.
 */
export const postponeJob = `
UPDATE jobs SET locked_by = NULL, locked_until = NULL, last_error = ?, run_at = ?,
  updated_at = ?, attempts = max(attempts - 1, 0),
  job_key = ${restoreKey.replace('attempts <', 'attempts - 1 <')}
WHERE id = ? AND locked_by = ?`;

export const failJob = `
UPDATE jobs SET locked_by = NULL, locked_until = NULL, last_error = ?, updated_at = ?,
  attempts = max(attempts, max_attempts), job_key = NULL
WHERE id = ? AND locked_by = ?`;

/** Gives jobs back without counting the attempt (graceful stop; a duplicate key in a claim). */
export const releaseJobs = `
UPDATE jobs SET locked_by = NULL, locked_until = NULL, attempts = max(attempts - 1, 0),
  updated_at = ?, job_key = ${restoreKey.replace('attempts <', 'attempts - 1 <')}
WHERE locked_by = ? AND id IN (SELECT value FROM json_each(?))`;

export const renewLeases = `
UPDATE jobs SET locked_until = ? WHERE locked_by = ? AND locked_until IS NOT NULL`;

export const countJobs = `
SELECT task, lane_rank,
  sum(CASE WHEN attempts < max_attempts AND (locked_until IS NULL OR locked_until < ?1)
    THEN 1 ELSE 0 END) AS queued,
  sum(CASE WHEN locked_until >= ?1 THEN 1 ELSE 0 END) AS running,
  sum(CASE WHEN attempts >= max_attempts AND (locked_until IS NULL OR locked_until < ?1)
    THEN 1 ELSE 0 END) AS failed
FROM jobs GROUP BY task, lane_rank ORDER BY task, lane_rank`;

export const listFailed = `
SELECT id, task, lane_rank, payload, running_key, attempts, max_attempts, last_error, updated_at
FROM jobs
WHERE attempts >= max_attempts AND (locked_until IS NULL OR locked_until < ?)
ORDER BY updated_at DESC, id DESC LIMIT ?`;
