import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { logFormats, logLevels } from './definitions.ts';
import {
  parseEmailAddress,
  parseSecretKey,
  settingDefinitions,
  type SettingName,
} from './definitions.ts';
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
  /** Where a finished backfill's summary is sent; a channel is absent when it is not set up. */
  readonly notify: NotifySettings;
  readonly backfill: BackfillSettings;
  readonly logLevel: (typeof logLevels)[number];
  readonly logFormat: (typeof logFormats)[number];
  /** Where each setting's value came from, for `tandem doctor`. */
  readonly sources: Readonly<Record<SettingName, Source>>;
}

export interface NotifySettings {
  readonly webhookUrl?: string;
  readonly smtp?: {
    /** smtp:// or smtps://, possibly with credentials: a secret, never logged as it is. */
    readonly url: string;
    readonly from: string;
    readonly to: readonly string[];
  };
}

export interface BackfillSettings {
  /** At or above this many records, Salesforce Bulk API 2.0; below, sObject Collections. */
  readonly bulkThreshold: number;
  /** Records planned and written together. */
  readonly chunkSize: number;
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
  const notify = notifySettings(values, sources, problems);
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
    notify,
    backfill: {
      bulkThreshold: values.backfillBulkThreshold as number,
      chunkSize: values.backfillChunkSize as number,
    },
    logLevel: values.logLevel as Config['logLevel'],
    logFormat: values.logFormat as Config['logFormat'],
    sources,
  };
  return { ok: true, config: Object.freeze(config) };
}

/**
 * The notification channels. E-mail needs the SMTP URL and recipients together; the sender
 * falls back to the SMTP user when that is an e-mail address. A problem is reported for a
 * half-configured channel, whichever half is missing. Problems of the individual values were
 * reported already, so a missing value here that was given but invalid is not reported twice.
 */
function notifySettings(
  values: Partial<Record<SettingName, unknown>>,
  sources: Record<SettingName, Source>,
  problems: ConfigProblem[],
): NotifySettings {
  const given = (name: SettingName) => sources[name] !== 'default';
  const webhookUrl = values.notifyWebhookUrl as string | undefined;
  const smtpUrl = values.smtpUrl as string | undefined;
  const to = values.notifyEmailTo as string[] | undefined;
  let from = values.notifyEmailFrom as string | undefined;
  if (given('smtpUrl')) {
    if (!given('notifyEmailTo'))
      problems.push({
        setting: 'TANDEM_NOTIFY_EMAIL_TO',
        message:
          'is required when TANDEM_SMTP_URL is set: the addresses that receive backfill summaries, separated by commas',
      });
    if (!given('notifyEmailFrom') && smtpUrl !== undefined) {
      from = smtpUserAddress(smtpUrl);
      if (from === undefined)
        problems.push({
          setting: 'TANDEM_NOTIFY_EMAIL_FROM',
          message:
            'is required when TANDEM_SMTP_URL is set and its user name is not an e-mail address: the sender of backfill summaries, such as tandem@example.com',
        });
    }
  } else {
    for (const name of ['notifyEmailTo', 'notifyEmailFrom'] as const)
      if (given(name))
        problems.push({
          setting: settingDefinitions[name].env,
          message: 'is set but TANDEM_SMTP_URL is not; set the SMTP server to send e-mail',
        });
  }
  return {
    ...(webhookUrl === undefined ? {} : { webhookUrl }),
    ...(smtpUrl === undefined || to === undefined || from === undefined
      ? {}
      : { smtp: { url: smtpUrl, from, to: Object.freeze([...to]) } }),
  };
}

function smtpUserAddress(smtpUrl: string): string | undefined {
  const user = decodeURIComponent(new URL(smtpUrl).username);
  return parseEmailAddress(user);
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
  if (name === 'smtpUrl') return 'the value';
  if ((name === 'databaseUrl' || name === 'notifyWebhookUrl') && typeof value === 'string')
    return JSON.stringify(redactUrl(value));
  return JSON.stringify(value);
}

/** A connection URL with its password replaced, fit for logs and error messages. */
export function redactUrl(value: string): string {
  return value.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}
