import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { SecretBox } from './secret-box.ts';

/** Credentials (tokens, client secrets), sealed with the secret key before they are written. */
export interface CredentialsRepository {
  put(name: string, secret: string): Promise<void>;
  get(name: string): Promise<string | undefined>;
  names(): Promise<string[]>;
  remove(name: string): Promise<void>;
  /** Checks that every stored credential opens with the current key; returns those that do not. */
  unreadable(): Promise<string[]>;
}

export function credentialsRepository(
  db: Kysely<Database>,
  box: SecretBox,
  now: () => number,
): CredentialsRepository {
  return {
    async put(name, secret) {
      const row = { name, sealed: box.seal(secret, name), updated_at: now() };
      await db
        .insertInto('credentials')
        .values(row)
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({ sealed: row.sealed, updated_at: row.updated_at }),
        )
        .execute();
    },
    async get(name) {
      const row = await db
        .selectFrom('credentials')
        .select('sealed')
        .where('name', '=', name)
        .executeTakeFirst();
      return row && box.open(row.sealed, name);
    },
    async names() {
      const rows = await db.selectFrom('credentials').select('name').orderBy('name').execute();
      return rows.map((row) => row.name);
    },
    async remove(name) {
      await db.deleteFrom('credentials').where('name', '=', name).execute();
    },
    async unreadable() {
      const rows = await db.selectFrom('credentials').select(['name', 'sealed']).execute();
      return rows
        .filter((row) => {
          try {
            box.open(row.sealed, row.name);
            return false;
          } catch {
            return true;
          }
        })
        .map((row) => row.name);
    },
  };
}
