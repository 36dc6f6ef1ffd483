import { parseArgs, type ParseArgsOptionDescriptor } from 'node:util';
import type { SettingName } from '../config/index.ts';

/** One option of a command, with the line `--help` shows for it. */
export interface OptionSpec extends ParseArgsOptionDescriptor {
  readonly describe: string;
  readonly value?: string;
  /** The configuration setting this flag overrides, if any. */
  readonly setting?: SettingName;
}

export interface CommandContext {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Flags that override configuration settings, keyed by setting. */
  readonly settingFlags: Partial<Record<SettingName, string>>;
  readonly configFile: string | undefined;
  readonly verbose: boolean;
  /** Resolves when the process is asked to stop (SIGINT or SIGTERM); only long-running commands wait on it. */
  waitForStop(): Promise<string>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly details?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly allowPositionals?: boolean;
  run(context: CommandContext): Promise<number>;
}

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

/** Options every command accepts. */
export const globalOptions: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', describe: 'show this help' },
  verbose: { type: 'boolean', describe: 'show stack traces of unexpected errors' },
  config: {
    type: 'string',
    value: 'FILE',
    describe: 'read settings from a YAML or JSON file (or TANDEM_CONFIG)',
  },
};

/** Options of commands that open the database. */
export const databaseOptions: Record<string, OptionSpec> = {
  'data-dir': {
    type: 'string',
    value: 'DIR',
    setting: 'dataDir',
    describe: 'data folder (TANDEM_DATA_DIR, default ./.tandem)',
  },
  'database-url': {
    type: 'string',
    value: 'URL',
    setting: 'databaseUrl',
    describe: 'postgres://… (DATABASE_URL; unset: embedded SQLite)',
  },
  'log-level': {
    type: 'string',
    value: 'LEVEL',
    setting: 'logLevel',
    describe: 'fatal, error, warn, info, debug, trace or silent (TANDEM_LOG_LEVEL)',
  },
  'log-format': {
    type: 'string',
    value: 'FORMAT',
    setting: 'logFormat',
    describe: 'auto, json or pretty (TANDEM_LOG_FORMAT)',
  },
};

export function parseCommandLine(command: Command, argv: readonly string[]) {
  const options = { ...globalOptions, ...command.options };
  try {
    return parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([name, { type, short, multiple }]) => [
          name,
          { type, ...(short ? { short } : {}), ...(multiple ? { multiple } : {}) },
        ]),
      ),
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(
      (error as Error).message.replace(/\. To specify a positional argument.*$/s, ''),
    );
  }
}

export function helpText(command: Command): string {
  const options = { ...command.options, ...globalOptions };
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return `  ${flag.padEnd(30)} ${spec.describe}`;
  });
  return [
    `Usage: ${command.usage}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    '',
    'Options:',
    ...rows,
  ].join('\n');
}

/** The configuration flags a command line set, keyed by setting name. */
export function settingFlagsOf(
  command: Command,
  values: Record<string, unknown>,
): Partial<Record<SettingName, string>> {
  const flags: Partial<Record<SettingName, string>> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    const value = values[name];
    if (spec.setting && typeof value === 'string') flags[spec.setting] = value;
  }
  return flags;
}
