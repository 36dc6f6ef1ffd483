import { StartupError } from '../runtime/local-state.ts';
import { MigrationError, SecretBoxError } from '../store/index.ts';
import {
  exitCodes,
  helpText,
  parseCommandLine,
  settingFlagsOf,
  UsageError,
  type Command,
} from './command.ts';
import { commands } from './commands/index.ts';
import { ConfigError } from './setup.ts';
import { version } from '../runtime/version.ts';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: tandem <command> [options]',
    '',
    'Tandem keeps Intercom and Salesforce in step, live and both ways.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `tandem <command> --help` for the options of a command.',
  ].join('\n');
}

/** Errors the user can act on: one clear line each, no stack trace. */
function isExpected(error: unknown): error is Error {
  return (
    error instanceof ConfigError ||
    error instanceof StartupError ||
    error instanceof MigrationError ||
    error instanceof SecretBoxError
  );
}

export interface MainIo {
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Resolves when the process should stop; defaults to the first SIGINT or SIGTERM. */
  readonly waitForStop?: () => Promise<string>;
}

/** Runs the `tandem` command line and returns its exit code: 0 ok, 1 failure, 2 usage. */
export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    out(overview());
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (name === '--version' || name === 'version') {
    out(version);
    return exitCodes.ok;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    err(`tandem: unknown command "${name}"`);
    err(overview());
    return exitCodes.usage;
  }
  const verbose = rest.includes('--verbose');
  try {
    const { values, positionals } = parseCommandLine(command, rest);
    if (values['help']) {
      out(helpText(command));
      return exitCodes.ok;
    }
    return await command.run({
      values: values as Record<string, string | boolean | undefined>,
      positionals,
      out,
      err,
      env: io.env ?? process.env,
      settingFlags: settingFlagsOf(command, values),
      configFile: typeof values['config'] === 'string' ? values['config'] : undefined,
      verbose,
      waitForStop: io.waitForStop ?? waitForSignal,
    });
  } catch (error) {
    if (error instanceof UsageError) {
      err(`tandem ${command.name}: ${error.message}`);
      err(`Run \`tandem ${command.name} --help\` for its options.`);
      return exitCodes.usage;
    }
    if (error instanceof ConfigError) {
      for (const problem of error.problems) err(`tandem: ${problem.setting}: ${problem.message}`);
    } else if (isExpected(error)) {
      err(`tandem: ${error.message}`);
    } else {
      err(
        `tandem ${command.name}: unexpected error: ${(error as Error)?.message ?? String(error)}`,
      );
      if (!verbose) err('Run again with --verbose to see the stack trace.');
    }
    if (verbose && error instanceof Error) {
      if (error.stack) err(error.stack);
      const cause = error.cause;
      if (cause instanceof Error && cause.stack) err(`Caused by: ${cause.stack}`);
    }
    return exitCodes.failure;
  }
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
