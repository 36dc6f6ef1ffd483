import { loadConfig, type Config } from '../../config/index.ts';
import { describeDatabase, openDatabase } from '../../runtime/database.ts';
import { ensureDataDir } from '../../runtime/local-state.ts';
import type { Store } from '../../store/index.ts';
import { checkConnections, type ConnectionHealth } from '../../sync/connections.ts';
import { databaseOptions, type Command } from '../command.ts';
import { connectorFactories } from './support.ts';

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Shown, but neither a success nor a problem (a system not connected yet). */
  readonly neutral?: boolean;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary:
    'Check configuration, database, migrations, stored credentials and connections; list every problem.',
  usage: 'tandem doctor [options]',
  details: 'Exits 0 when everything is in order, 1 when anything is not.',
  options: { ...databaseOptions },
  async run(context) {
    const checks: Check[] = [];
    const result = loadConfig({
      env: context.env,
      flags: context.settingFlags,
      ...(context.configFile === undefined ? {} : { configFile: context.configFile }),
    });
    if (!result.ok) {
      for (const problem of result.problems)
        checks.push({
          name: 'configuration',
          ok: false,
          detail: `${problem.setting}: ${problem.message}`,
        });
    } else {
      checks.push(...(await checkInstallation(result.config)));
    }
    for (const check of checks)
      context.out(`${check.neutral ? '·' : check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}`);
    const problems = checks.filter((check) => !check.ok).length;
    context.out(
      problems === 0
        ? 'Everything is in order.'
        : `${problems} problem${problems === 1 ? '' : 's'} found.`,
    );
    return problems === 0 ? 0 : 1;
  },
};

async function checkInstallation(config: Config): Promise<Check[]> {
  const checks: Check[] = [
    { name: 'configuration', ok: true, detail: `valid; database is ${describeDatabase(config)}` },
  ];
  if (config.database.kind === 'sqlite') {
    try {
      ensureDataDir(config.dataDir);
      checks.push({ name: 'data folder', ok: true, detail: `${config.dataDir} is writable` });
    } catch (error) {
      checks.push({ name: 'data folder', ok: false, detail: (error as Error).message });
      return checks;
    }
  } else if (!config.adminToken) {
    checks.push({
      name: 'admin token',
      ok: false,
      detail: 'TANDEM_ADMIN_TOKEN is not set, so the admin API refuses every request',
    });
  }
  let store: Store;
  try {
    ({ store } = await openDatabase(config));
    checks.push({ name: 'database', ok: true, detail: 'reachable' });
  } catch (error) {
    checks.push({
      name: 'database',
      ok: false,
      detail: (error as Error).message.replace(/^database: /, ''),
    });
    return checks;
  }
  try {
    const status = await store.migrationStatus();
    const label = (m: { id: number; name: string }) => `${String(m.id).padStart(3, '0')}_${m.name}`;
    if (status.altered.length > 0) {
      checks.push({
        name: 'migrations',
        ok: false,
        detail: `changed after they were applied: ${status.altered.map(label).join(', ')}`,
      });
    } else if (status.unknown.length > 0) {
      checks.push({
        name: 'migrations',
        ok: false,
        detail: `the database is newer than this Tandem (${status.unknown.join(', ')}); upgrade Tandem`,
      });
    } else if (status.pending.length > 0) {
      checks.push({
        name: 'migrations',
        ok: false,
        detail: `${status.pending.length} pending (${status.pending.map(label).join(', ')}); run \`tandem migrate\``,
      });
    } else {
      checks.push({ name: 'migrations', ok: true, detail: `all ${status.applied.length} applied` });
      const names = await store.credentials.names();
      const unreadable = await store.credentials.unreadable();
      checks.push(
        unreadable.length === 0
          ? {
              name: 'credentials',
              ok: true,
              detail: `${names.length} stored, all readable with the secret key`,
            }
          : {
              name: 'credentials',
              ok: false,
              detail: `cannot be decrypted with the current TANDEM_SECRET_KEY: ${unreadable.join(', ')}`,
            },
      );
      if (unreadable.length === 0) checks.push(...(await connectionChecks(store)));
    }
  } finally {
    await store.close();
  }
  return checks;
}

const systemNames = { salesforce: 'Salesforce', intercom: 'Intercom' } as const;

/** One cheap API call per connected system; "needs reconnect" when its grant was revoked. */
async function connectionChecks(store: Store): Promise<Check[]> {
  const health = await checkConnections(store, connectorFactories, { timeoutMs: 15_000 });
  return health.map((h: ConnectionHealth) => ({
    name: `${systemNames[h.system]} connection`,
    ok: h.state === 'healthy' || h.state === 'not_connected',
    ...(h.state === 'not_connected' ? { neutral: true } : {}),
    detail: h.detail,
  }));
}
