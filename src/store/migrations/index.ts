import { foundation } from './001_foundation.ts';
import { jobEngineKeys } from './002_job_engine_keys.ts';
import { syncState } from './003_sync_state.ts';
import { backfills } from './004_backfills.ts';
import type { Migration } from './migration.ts';

export { checksum, type Dialect, type Migration } from './migration.ts';

/** Every migration, in order. Append only: never edit or reorder one that has shipped. */
export const migrations: readonly Migration[] = [foundation, jobEngineKeys, syncState, backfills];
