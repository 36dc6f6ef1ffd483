export {
  loadConfig,
  isInteractive,
  redactUrl,
  type Config,
  type BackfillSettings,
  type NotifySettings,
  type ConfigInput,
  type ConfigProblem,
  type ConfigResult,
  type Source,
} from './config.ts';
export {
  settingDefinitions,
  parseSecretKey,
  parseEmailAddress,
  logLevels,
  logFormats,
  type SettingName,
} from './definitions.ts';
