export { loadConfig, ConfigError, FLAGS, type ConfigSources } from './load.js';
export {
  EnvConfig,
  LOG_LEVELS,
  MB,
  type Config,
  type HttpLimits,
  type LogLevel,
  type PrometheusConfig,
} from './schema.js';
export { serviceHelp, wantsHelp } from './help.js';
export { readVersion } from './version.js';
