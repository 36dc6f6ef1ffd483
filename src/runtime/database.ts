import { redactUrl, type Config } from '../config/index.ts';
import { createSecretBox, openStore, type Store } from '../store/index.ts';
import { ensureDataDir, ensureSecretKey, StartupError } from './local-state.ts';

/** Where the database is, for messages (passwords hidden). */
export function describeDatabase(config: Config): string {
  return config.database.kind === 'sqlite'
    ? `SQLite at ${config.database.file}`
    : `PostgreSQL at ${redactUrl(config.database.url)}`;
}

/**
 * Opens the configured store and checks that the database answers. Local state (the data
 * folder, the generated secret key) is prepared first in embedded mode. Failures become one
 * clear StartupError.
 */
export async function openDatabase(
  config: Config,
): Promise<{ store: Store; secretKeyGenerated: boolean }> {
  if (config.database.kind === 'sqlite') ensureDataDir(config.dataDir);
  const { key, generated } = ensureSecretKey(config);
  const unreachable = (error: unknown) =>
    new StartupError(
      `database: cannot reach ${describeDatabase(config)} (${explainDatabaseError(error)})`,
      { cause: error },
    );
  let store: Store;
  try {
    store = openStore({
      location:
        config.database.kind === 'sqlite'
          ? config.database
          : { kind: 'postgres', url: config.database.url },
      secretBox: createSecretBox(key),
    });
  } catch (error) {
    throw unreachable(error);
  }
  try {
    await store.ping();
  } catch (error) {
    await store.close().catch(() => {});
    throw unreachable(error);
  }
  return { store, secretKeyGenerated: generated };
}

function explainDatabaseError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused: is the server running and listening there?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case '28P01':
    case '28000':
      return 'authentication failed';
    case '3D000':
      return 'that database does not exist';
    case 'ERR_SQLITE_ERROR':
      return message ?? 'SQLite error';
    default:
      return code ? `${code}: ${redactUrl(message ?? '')}` : redactUrl(message ?? String(error));
  }
}
