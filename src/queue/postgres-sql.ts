/**
 * Statements the PostgreSQL engine runs beside graphile-worker, in graphile-worker's schema.
 * `s` is the escaped schema name. graphile-worker's own tables stay its own: we only update
 * `_private_jobs` rows that this process has locked (`locked_by` = our pool id), the way its
 * own failJobs/returnJobs do, and keep two small tables of ours next to them.
 */

/**
 * Our tables. `tandem_workers` is the lease: each process renews its row while it lives.
 * `tandem_key_locks` holds the key of each running keyed job, so that a fresh job with the same
 * key waits for it (graphile-worker lets them run side by side; see postgres.ts for why not a
 * named queue per key). The index serves the sweep below: it holds only locked (running) jobs,
 * so the sweep reads a few rows however long the queue is, not the whole table.
 */
export const createTables = (s: string) => `
CREATE TABLE IF NOT EXISTS ${s}.tandem_workers (
  worker_id text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.tandem_key_locks (
  job_key text PRIMARY KEY,
  job_id bigint NOT NULL,
  worker_id text NOT NULL,
  locked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS tandem_jobs_locked ON ${s}._private_jobs (locked_at)
  WHERE locked_at IS NOT NULL`;

/**
 * Adds a batch of jobs in one call to graphile-worker's add_jobs: one statement, one commit,
 * one NOTIFY. Rejected: add_job once per job (a commit each, ~700 adds/s here), and add_job
 * once per row of a batch (its per-call overhead made it ~0.4 ms a row). add_jobs returns
 * the rows in no particular order, so each comes back with what identifies it (task, key,
 * payload text, priority, attempts, run time in µs, and the transaction time that a missing
 * run time defaults to); rows identical in all of these are interchangeable.
 */
export const addJobs = (s: string) => `
SELECT j.id::text AS id, j.task_id, j.key, j.payload::text AS payload, j.priority,
  j.max_attempts, (extract(epoch FROM j.run_at) * 1000000)::bigint::text AS run_at_us,
  (extract(epoch FROM now()) * 1000000)::bigint::text AS now_us
FROM ${s}.add_jobs(ARRAY(
  SELECT ROW(a.identifier, a.payload, NULL, a.run_at, a.max_attempts, a.job_key, a.priority,
    NULL)::${s}.job_spec
  FROM unnest($1::text[], $2::json[], $3::timestamptz[], $4::int[], $5::text[], $6::int[])
    WITH ORDINALITY AS a(identifier, payload, run_at, max_attempts, job_key, priority, ord)
  ORDER BY a.ord)) AS j`;

/** Task names by id (a task added in the same statement is not yet visible to a join there). */
export const taskNames = (s: string) =>
  `SELECT id, identifier FROM ${s}._private_tasks WHERE id = ANY($1::int[])`;

export interface AddedRow {
  id: string;
  task_id: number;
  key: string | null;
  payload: string;
  priority: number;
  max_attempts: number;
  run_at_us: string;
  now_us: string;
}

export const heartbeat = (s: string) => `
INSERT INTO ${s}.tandem_workers (worker_id, expires_at)
VALUES ($1, now() + $2::int * interval '1 millisecond')
ON CONFLICT (worker_id) DO UPDATE SET expires_at = excluded.expires_at`;

export const forgetWorker = (s: string) => `DELETE FROM ${s}.tandem_workers WHERE worker_id = $1`;

/**
 * Prompt crash recovery. graphile-worker only frees jobs locked more than 4 hours ago
 * (resetLockedAt, a fixed interval in 0.18), since it cannot tell a dead worker from a slow
 * job. Our lease can: a job is freed when it has been locked longer than the lease and the
 * process holding it has not renewed its lease. Every process sweeps; the statement is
 * idempotent, so several sweeping at once is harmless. Freed jobs keep the attempt they used.
 * Rejected: lowering graphile's interval (not configurable), and per-job lease renewal (one
 * write per running job per period instead of one per process).
 */
export const sweepDeadWorkers = (s: string) => `
WITH dead_jobs AS (
  UPDATE ${s}._private_jobs AS j
  SET locked_at = NULL, locked_by = NULL, updated_at = now(),
    last_error = 'worker ' || j.locked_by || ' stopped renewing its lease while running this job'
  WHERE j.locked_at < now() - $1::int * interval '1 millisecond'
    AND NOT EXISTS (SELECT 1 FROM ${s}.tandem_workers w
      WHERE w.worker_id = j.locked_by AND w.expires_at > now())
  RETURNING j.id
), dead_keys AS (
  DELETE FROM ${s}.tandem_key_locks AS k
  WHERE k.locked_at < now() - $1::int * interval '1 millisecond'
    AND NOT EXISTS (SELECT 1 FROM ${s}.tandem_workers w
      WHERE w.worker_id = k.worker_id AND w.expires_at > now())
), dead_queues AS (
  UPDATE ${s}._private_job_queues AS q SET locked_at = NULL, locked_by = NULL
  WHERE q.locked_at < now() - $1::int * interval '1 millisecond'
    AND NOT EXISTS (SELECT 1 FROM ${s}.tandem_workers w
      WHERE w.worker_id = q.locked_by AND w.expires_at > now())
), gone AS (
  DELETE FROM ${s}.tandem_workers WHERE expires_at < now() - interval '1 day'
)
SELECT count(*)::int AS freed FROM dead_jobs`;

/** Takes a key for a job, or finds it held by another running job (no row returned). */
export const takeKey = (s: string) => `
INSERT INTO ${s}.tandem_key_locks (job_key, job_id, worker_id) VALUES ($1, $2, $3)
ON CONFLICT (job_key) DO UPDATE SET worker_id = excluded.worker_id, locked_at = now()
  WHERE tandem_key_locks.job_id = excluded.job_id
RETURNING job_id`;

export const dropKeys = (s: string) =>
  `DELETE FROM ${s}.tandem_key_locks WHERE job_id = ANY($1::bigint[])`;

/**
 * The outcome of a failed attempt, in graphile-worker's terms. Its failJob (which runs after
 * the task throws, asynchronously) sets last_error, unlocks, and moves run_at to
 * greatest(now(), run_at) + exp(attempts) s: a fixed backoff, no jitter, no "retry after".
 * So, while the job is still ours and locked: a permanent failure sets attempts to
 * max_attempts (what graphile-worker's permanentlyFailJobs does), and a retry sets run_at to
 * now() + our delay; then, once failJob has run, `lowerRunAt` brings run_at back down to that
 * time. Until it does, the job is due later than wanted, never earlier, so no worker can take
 * it in between.
 * Rejected: unlocking the job ourselves before throwing, so that failJob (which requires
 * `locked_by` = our pool) would match nothing: this process may take the job again for its next
 * attempt before failJob runs, and failJob would then unlock the running job. Also rejected:
 * permanentlyFailJobs (it refuses locked jobs), rescheduling with helpers.addJob (a new job:
 * the attempt count and the key are lost).
 */
export const prepareFailure = (s: string) => `
UPDATE ${s}._private_jobs
SET run_at = CASE WHEN $3::boolean THEN now() + $4::int * interval '1 millisecond' ELSE run_at END,
  attempts = CASE WHEN $3::boolean THEN attempts ELSE greatest(attempts, max_attempts) END
WHERE id = $1::bigint AND locked_by = $2
RETURNING run_at::text AS run_at, attempts`;

/**
 * A keyed job whose key is busy goes back, the attempt not counted, due again after a delay;
 * the task then throws and failJob unlocks it (as for a retry, `lowerRunAt` follows). A job
 * that no longer holds the key it was fetched with ($4) was superseded by a newer job with that
 * key (graphile-worker took the key away and set its attempts to the maximum): it keeps that
 * count, so it never runs again, keyless, beside the newer one.
 */
export const deferForKey = (s: string) => `
UPDATE ${s}._private_jobs
SET attempts = CASE WHEN $4::text IS NOT NULL AND key IS DISTINCT FROM $4::text THEN attempts
    ELSE greatest(attempts - 1, 0) END,
  run_at = now() + $3::int * interval '1 millisecond'
WHERE id = $1::bigint AND locked_by = $2
RETURNING run_at::text AS run_at, attempts`;

/**
 * Whether a job fetched with a key still holds it. graphile-worker fetches jobs ahead into a
 * local queue, locked; a job added meanwhile with the same key supersedes the fetched one (a
 * new row with the key), which then must not run: the newer job does its work.
 */
export const holdsKey = (s: string) => `
SELECT 1 FROM ${s}._private_jobs WHERE id = $1::bigint AND key = $2`;

/**
 * A postponed run (PostponeError): like a busy key, the attempt given back and due again after
 * the delay; the task then throws and failJob unlocks it (`lowerRunAt` follows).
 */
export const postponeJob = deferForKey;

/** Only once failJob has unlocked it, only if no later attempt or add has touched it. */
export const lowerRunAt = (s: string) => `
UPDATE ${s}._private_jobs SET run_at = $3::timestamptz
WHERE id = $1::bigint AND locked_at IS NULL AND attempts = $2 AND run_at > $3::timestamptz`;

/**
 * Gives jobs back without counting the attempt (graphile-worker's returnJobs does the same), at
 * stop. Safe to do before failJob here: a stopping pool claims nothing more.
 */
export const returnJobs = (s: string) => `
UPDATE ${s}._private_jobs
SET locked_at = NULL, locked_by = NULL, attempts = greatest(attempts - 1, 0)
WHERE id = ANY($1::bigint[]) AND locked_by = $2`;

/** Lanes are bands of graphile-worker's priority (lower runs first); see lanes in postgres.ts. */
export const countJobs = (s: string) => `
SELECT t.identifier AS task,
  CASE WHEN j.priority < -5000 THEN 0 WHEN j.priority > 5000 THEN 2 ELSE 1 END AS lane_rank,
  count(*) FILTER (WHERE j.locked_at IS NULL AND j.attempts < j.max_attempts)::int AS queued,
  count(*) FILTER (WHERE j.locked_at IS NOT NULL)::int AS running,
  count(*) FILTER (WHERE j.locked_at IS NULL AND j.attempts >= j.max_attempts)::int AS failed
FROM ${s}._private_jobs j JOIN ${s}._private_tasks t ON t.id = j.task_id
GROUP BY 1, 2 ORDER BY 1, 2`;

export const listFailed = (s: string) => `
SELECT j.id::text AS id, t.identifier AS task, j.priority, j.payload, j.key, j.attempts,
  j.max_attempts, j.last_error, j.updated_at
FROM ${s}._private_jobs j JOIN ${s}._private_tasks t ON t.id = j.task_id
WHERE j.locked_at IS NULL AND j.attempts >= j.max_attempts
ORDER BY j.updated_at DESC, j.id DESC LIMIT $1`;
