export { loadConfig, parseFileConfig, ConfigError, type AppConfig } from './load-config';
export { DEMO, demoFileConfig } from './demo';
export { interpolateEnv } from './interpolate';
export { fileSchema, envSchema, type FileConfig, type EnvConfig, type TenantConfig, type CallerConfig } from './schema';
export { callerWeights } from './caller-weights';
export { LOG_REDACT, LOG_REDACT_PATHS, LOG_REDACT_CENSOR, SECRET_FIELDS } from './log-redaction';
