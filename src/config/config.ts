import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { logFormats, logLevels } from './definitions.ts';
import { parseSecretKey, settingDefinitions, type SettingName } from './definitions.ts';
import type { BudgetSettings } from '../core/budget.ts';

export interface Config {
  readonly dataDir: string;
  readonly database:
    | { readonly kind: 'sqlite'; readonly file: string }
    | { readonly kind: 'postgres'; readonly url: string };
  /** The 32-byte credentials key, when it was given; embedded mode generates one otherwise. */
  readonly secretKey: Buffer | undefined;
  readonly adminToken: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly concurrency: number;
  readonly shutdownGraceMs: number;
  readonly jobLeaseMs: number;
  readonly queueSchema: string;
  readonly queueFetchSize: number;
  readonly salesforcePollSeconds: number;
  readonly salesforcePollOverlapSeconds: number;
  readonly intercomSweepSeconds: number;
  readonly intercomSweepOverlapSeconds: number;
  /** The API budget (docs/budget.md): Tandem's share of the Salesforce limit and thresholds. */
  readonly budget: BudgetSettings;
  readonly logLevel: (typeof logLevels)[number];
  readonly logFormat: (typeof logFormats)[number];
  /** Where each setting's value came from, for `tandem doctor`. */
  readonly sources: Readonly<Record<SettingName, Source>>;
}

export type Source = 'flag' | 'environment' | 'file' | 'default';

/** One invalid setting: which one, on which source, and what would be valid. */
export interface ConfigProblem {
  readonly setting: string;
  readonly message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

export interface ConfigInput {
  /** Flags given on the command line, by setting name (already split by the CLI). */
  readonly flags?: Partial<Record<SettingName, string>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The config file to read: `--config`, else TANDEM_CONFIG, else none. */
  readonly configFile?: string;
  readonly cwd?: string;
}

/**
 * Reads the configuration once: flags, then environment, then the config file, then defaults.
 * Every invalid setting is reported at once, named as the user wrote it.
 */
export function loadConfig(input: ConfigInput = {}): ConfigResult {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];
  const configFile = input.configFile ?? emptyToUndefined(env['TANDEM_CONFIG']);
  const file = configFile === undefined ? {} : readConfigFile(resolve(cwd, configFile), problems);

  const values: Partial<Record<SettingName, unknown>> = {};
  const sources = {} as Record<SettingName, Source>;
  for (const [name, definition] of Object.entries(settingDefinitions) as [
    SettingName,
    (typeof settingDefinitions)[SettingName],
  ][]) {
    const flagValue = input.flags?.[name];
    const envValue = emptyToUndefined(env[definition.env]);
    const fileValue = file[name];
    const [raw, source, label]: [unknown, Source, string] =
      flagValue !== undefined
        ? [flagValue, 'flag', `--${definition.flag ?? name}`]
        : envValue !== undefined
          ? [envValue, 'environment', definition.env]
          : fileValue !== undefined
            ? [fileValue, 'file', `${name} in ${configFile}`]
            : [definition.default, 'default', definition.env];
    sources[name] = source;
    if (raw === undefined) continue;
    const parsed = definition.schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else
      problems.push({
        setting: label,
        message: `${shown(raw, name)} ${parsed.error.issues[0]?.message ?? 'is not valid'}`,
      });
  }
  for (const key of Object.keys(file)) {
    if (!(key in settingDefinitions)) {
      problems.push({
        setting: `${key} in ${configFile}`,
        message: `is not a Tandem setting; known settings: ${Object.keys(settingDefinitions).join(', ')}`,
      });
    }
  }

  const databaseUrl = values.databaseUrl as string | undefined;
  if (databaseUrl !== undefined && sources.secretKey === 'default') {
    problems.push({
      setting: 'TANDEM_SECRET_KEY',
      message:
        'is required with PostgreSQL (DATABASE_URL is set), so that every process opens the same stored credentials; generate one with: openssl rand -hex 32',
    });
  }
  if (problems.length > 0) return { ok: false, problems };

  const dataDir = values.dataDir as string;
  const absoluteDataDir = isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir);
  const config: Config = {
    dataDir: absoluteDataDir,
    database:
      databaseUrl === undefined
        ? { kind: 'sqlite', file: resolve(absoluteDataDir, 'tandem.db') }
        : { kind: 'postgres', url: databaseUrl },
    secretKey:
      values.secretKey === undefined ? undefined : parseSecretKey(values.secretKey as string),
    adminToken: values.adminToken as string | undefined,
    host: values.host as string,
    port: values.port as number,
    concurrency: values.concurrency as number,
    shutdownGraceMs: values.shutdownGraceMs as number,
    jobLeaseMs: values.jobLeaseMs as number,
    queueSchema: values.queueSchema as string,
    queueFetchSize: values.queueFetchSize as number,
    salesforcePollSeconds: values.salesforcePollSeconds as number,
    salesforcePollOverlapSeconds: values.salesforcePollOverlapSeconds as number,
    intercomSweepSeconds: values.intercomSweepSeconds as number,
    intercomSweepOverlapSeconds: values.intercomSweepOverlapSeconds as number,
    budget: {
      sharePercent: values.salesforceApiSharePercent as number,
      pauseBulkPercent: values.budgetPauseBulkPercent as number,
      pauseLivePercent: values.budgetPauseLivePercent as number,
    },
    logLevel: values.logLevel as Config['logLevel'],
    logFormat: values.logFormat as Config['logFormat'],
    sources,
  };
  return { ok: true, config: Object.freeze(config) };
}

/** Whether the process runs on a terminal (for readable logs and progress bars). */
export function isInteractive(): boolean {
  return process.stdout.isTTY === true;
}

function readConfigFile(path: string, problems: ConfigProblem[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push({
      setting: 'config file',
      message: `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    });
    return {};
  }
  try {
    const data: unknown = parseYaml(text);
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object' || Array.isArray(data)) {
      problems.push({
        setting: 'config file',
        message: `${path} must hold a mapping of setting names to values`,
      });
      return {};
    }
    return data as Record<string, unknown>;
  } catch (error) {
    problems.push({
      setting: 'config file',
      message: `${path} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
    });
    return {};
  }
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The offending value, quoted; secrets are never echoed back. */
function shown(value: unknown, name: SettingName): string {
  if (name === 'secretKey' || name === 'adminToken') return 'the value';
  if (name === 'databaseUrl' && typeof value === 'string') return JSON.stringify(redactUrl(value));
  return JSON.stringify(value);
}

/** A connection URL with its password replaced, fit for logs and error messages. */
export function redactUrl(value: string): string {
  return value.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}
