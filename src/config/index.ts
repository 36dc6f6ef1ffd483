export {
  loadConfig,
  isInteractive,
  redactUrl,
  type Config,
  type ConfigInput,
  type ConfigProblem,
  type ConfigResult,
  type Source,
} from './config.ts';
export {
  settingDefinitions,
  parseSecretKey,
  logLevels,
  logFormats,
  type SettingName,
} from './definitions.ts';
