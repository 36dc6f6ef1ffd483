export { openStore, type Store, type StoreLocation, type StoreOptions } from './store.ts';
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
export type { Database, JobRow } from './schema.ts';
export { migrations, type Dialect } from './migrations/index.ts';
