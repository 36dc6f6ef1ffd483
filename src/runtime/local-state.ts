import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config/index.ts';

/** A problem with the local state that stops Tandem, phrased for the person running it. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Makes sure the data folder exists and Tandem can write to it. */
export function ensureDataDir(dataDir: string): void {
  try {
    makeFolders(dataDir);
    // Permission bits say little when running as root; writing a file is the real test.
    const probe = join(dataDir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartupError(
      `TANDEM_DATA_DIR: ${dataDir} is not a folder Tandem can write to (${code})`,
    );
  }
}

/**
 * Creates a folder and its missing parents one by one. (`mkdirSync` with `recursive` never
 * returns for some paths on special file systems such as /proc.)
 */
function makeFolders(path: string): void {
  const missing: string[] = [];
  let current = resolve(path);
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) mkdirSync(folder, { mode: 0o700 });
}

/**
 * The key that seals stored credentials: TANDEM_SECRET_KEY when set; in embedded mode
 * otherwise the one generated into the data folder on first start (mode 0600).
 */
export function ensureSecretKey(config: Config): { key: Buffer; generated: boolean } {
  if (config.secretKey) return { key: config.secretKey, generated: false };
  const file = join(config.dataDir, 'secret.key');
  try {
    const text = readFileSync(file, 'utf8').trim();
    const key = Buffer.from(text, 'hex');
    if (key.length !== 32)
      throw new StartupError(
        `${file} does not hold a 64-character hex key; restore it from a backup`,
      );
    return { key, generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (error instanceof StartupError) throw error;
      throw new StartupError(
        `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
  const key = randomBytes(32);
  // 'wx' refuses to overwrite a key another process wrote a moment ago.
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, generated: true };
}

export interface AdminToken {
  /** Constant-time check of a presented token. */
  verify(token: string): boolean;
  /** The token, only when it was generated just now (to print once). */
  readonly generated: string | undefined;
}

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * The admin API's bearer token: TANDEM_ADMIN_TOKEN when set. In embedded mode otherwise a
 * token is generated on first start and printed once; only its SHA-256 is kept on disk.
 * In PostgreSQL mode without TANDEM_ADMIN_TOKEN the admin API refuses every request.
 */
export function ensureAdminToken(config: Config): AdminToken {
  const compare = (expected: Buffer) => (token: string) => timingSafeEqual(digest(token), expected);
  if (config.adminToken)
    return { verify: compare(digest(config.adminToken)), generated: undefined };
  if (config.database.kind === 'postgres') return { verify: () => false, generated: undefined };
  const file = join(config.dataDir, 'admin-token.sha256');
  try {
    return {
      verify: compare(Buffer.from(readFileSync(file, 'utf8').trim(), 'hex')),
      generated: undefined,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = `tdm_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${digest(token).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return { verify: compare(digest(token)), generated: token };
}
