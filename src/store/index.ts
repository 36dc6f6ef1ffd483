export {
  openStore,
  type Store,
  type StoreLocation,
  type StoreOptions,
  type StoreTransaction,
} from './store.ts';
export {
  backfillStatuses,
  type Backfill,
  type BackfillPatch,
  type BackfillStatus,
  type BackfillsRepository,
  type NewBackfill,
  type NewStagedRecord,
  type StagedRecord,
  type StagedSystem,
} from './backfills.ts';
export { createSecretBox, SecretBoxError, type SecretBox } from './secret-box.ts';
export { MigrationError, type MigrationStatus } from './migrator.ts';
export {
  VersionConflictError,
  type Setting,
  type SettingChange,
  type SettingsRepository,
} from './settings.ts';
export type { CredentialsRepository } from './credentials.ts';
export type { EventsRepository, LedgerEvent, NewLedgerEvent, EventQuery } from './events.ts';
export type { Link, LinkSide, LinkWrite, LinksRepository, NewLink } from './links.ts';
export {
  inboxSources,
  type InboxEvent,
  type InboxRepository,
  type InboxSource,
  type NewInboxEvent,
} from './inbox.ts';
export type { Checkpoint, CheckpointsRepository } from './checkpoints.ts';
export {
  failureCategories,
  type Failure,
  type FailureCategory,
  type FailureQuery,
  type FailureSystem,
  type FailuresRepository,
  type NewFailure,
  type ReplaySelection,
} from './failures.ts';
export type { Database, JobRow } from './schema.ts';
export { migrations, type Dialect } from './migrations/index.ts';
