import { createHash } from 'node:crypto';

export type Dialect = 'sqlite' | 'postgres';

/** A numbered, forward-only schema change, written once per dialect. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sqlite: readonly string[];
  readonly postgres: readonly string[];
}

/** The checksum recorded when a migration is applied; a later edit to the file is refused. */
export function checksum(migration: Migration, dialect: Dialect): string {
  return createHash('sha256').update(migration[dialect].join(';\n')).digest('hex');
}
