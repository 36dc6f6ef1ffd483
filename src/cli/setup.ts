import { isInteractive, loadConfig, type Config, type ConfigProblem } from '../config/index.ts';
import { createLogger, type Logger } from '../runtime/logger.ts';
import type { CommandContext } from './command.ts';

/** Invalid configuration: every problem, one line each. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${p.setting}: ${p.message}`).join('\n'));
    this.problems = problems;
  }
}

/** Reads the configuration once and builds the logger from it. */
export function setup(context: CommandContext): { config: Config; log: Logger } {
  const result = loadConfig({
    env: context.env,
    flags: context.settingFlags,
    ...(context.configFile === undefined ? {} : { configFile: context.configFile }),
  });
  if (!result.ok) throw new ConfigError(result.problems);
  const { config } = result;
  const format =
    config.logFormat === 'auto' ? (isInteractive() ? 'pretty' : 'json') : config.logFormat;
  return { config, log: createLogger({ level: config.logLevel, format }) };
}
