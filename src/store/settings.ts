import type { Kysely, Selectable } from 'kysely';
import type { Database, SettingHistoryRow, SettingRow } from './schema.ts';

export interface Setting {
  readonly key: string;
  readonly value: unknown;
  readonly version: number;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

export interface SettingChange {
  readonly key: string;
  /** `null` when the change removed the setting. */
  readonly value: unknown;
  readonly version: number;
  readonly changedAt: Date;
  readonly changedBy: string;
}

export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
  readonly key: string;
  readonly expected: number;
  readonly actual: number;
  constructor(key: string, expected: number, actual: number) {
    super(`setting ${key} is at version ${actual}, not ${expected}: someone changed it meanwhile`);
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Versioned settings: every change is kept, with its time and author. */
export interface SettingsRepository {
  get(key: string): Promise<Setting | undefined>;
  list(): Promise<Setting[]>;
  /**
   * Sets a value and returns the new version. With `expectedVersion` (0 for "not set yet")
   * the write happens only if nobody changed the setting since it was read.
   */
  set(key: string, value: unknown, author: string, expectedVersion?: number): Promise<Setting>;
  remove(key: string, author: string): Promise<void>;
  history(key: string): Promise<SettingChange[]>;
}

const toSetting = (row: SettingRow): Setting => ({
  key: row.key,
  value: JSON.parse(row.value) as unknown,
  version: Number(row.version),
  updatedAt: new Date(Number(row.updated_at)),
  updatedBy: row.updated_by,
});

const toChange = (row: Selectable<SettingHistoryRow>): SettingChange => ({
  key: row.key,
  value: row.value === null ? null : (JSON.parse(row.value) as unknown),
  version: Number(row.version),
  changedAt: new Date(Number(row.changed_at)),
  changedBy: row.changed_by,
});

export function settingsRepository(db: Kysely<Database>, now: () => number): SettingsRepository {
  return {
    async get(key) {
      const row = await db
        .selectFrom('settings')
        .selectAll()
        .where('key', '=', key)
        .executeTakeFirst();
      return row && toSetting(row);
    },
    async list() {
      const rows = await db.selectFrom('settings').selectAll().orderBy('key').execute();
      return rows.map(toSetting);
    },
    async set(key, value, author, expectedVersion) {
      return db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom('settings')
          .select('version')
          .where('key', '=', key)
          .executeTakeFirst();
        const currentVersion = current ? Number(current.version) : 0;
        if (expectedVersion !== undefined && expectedVersion !== currentVersion) {
          throw new VersionConflictError(key, expectedVersion, currentVersion);
        }
        const row: SettingRow = {
          key,
          value: JSON.stringify(value),
          version: currentVersion + 1,
          updated_at: now(),
          updated_by: author,
        };
        if (current) {
          // The version in the WHERE clause makes a concurrent writer lose instead of overwrite.
          const result = await trx
            .updateTable('settings')
            .set(row)
            .where('key', '=', key)
            .where('version', '=', currentVersion)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) !== 1) {
            throw new VersionConflictError(key, currentVersion, currentVersion + 1);
          }
        } else {
          await trx.insertInto('settings').values(row).execute();
        }
        await trx
          .insertInto('settings_history')
          .values({
            key,
            value: row.value,
            version: row.version,
            changed_at: row.updated_at,
            changed_by: author,
          })
          .execute();
        return toSetting(row);
      });
    },
    async remove(key, author) {
      await db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom('settings')
          .select('version')
          .where('key', '=', key)
          .executeTakeFirst();
        if (!current) return;
        await trx.deleteFrom('settings').where('key', '=', key).execute();
        await trx
          .insertInto('settings_history')
          .values({
            key,
            value: null,
            version: Number(current.version) + 1,
            changed_at: now(),
            changed_by: author,
          })
          .execute();
      });
    },
    async history(key) {
      const rows = await db
        .selectFrom('settings_history')
        .selectAll()
        .where('key', '=', key)
        .orderBy('version')
        .execute();
      return rows.map(toChange);
    },
  };
}
