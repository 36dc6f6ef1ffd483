/**
 * Whether the database refused a write for breaking a unique index: PostgreSQL's SQLSTATE
 * 23505, or node:sqlite's extended code SQLITE_CONSTRAINT_UNIQUE (2067).
 */
export function isUniqueViolation(error: unknown): boolean {
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  return code === '23505' || errcode === 2067;
}
