/**
 * What the benches give the services they start: one tenant on the simulator, one caller, and
 * the environment of the API, worker and simulator processes. Each bench adds its own settings
 * (caller limits, ingest sizes) through `caller` and `ingest`; the day bench writes its own
 * config and adds its clock to the environment.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

/** Writes the services' config file for `tenant` on the simulator at `simPort`. */
export function writeBenchConfig(path, { tenant, sim, simPort, apiKey, caller = {}, ingest }) {
  writeFileSync(path, JSON.stringify({
    tenants: [{ id: tenant, projectId: sim.projectId, endpoint: `http://127.0.0.1:${simPort}`, auth: { type: 'aksk', accessKey: sim.accessKey, secretKey: sim.secretKey } }],
    callers: [{ id: 'bench', apiKeySha256: createHash('sha256').update(apiKey).digest('hex'), tenants: [tenant], ...caller }],
    ...(ingest ? { ingest } : {}),
  }, null, 2));
}

/** This process's environment without settings that would change the services, plus theirs. */
export function benchEnv({ redisUrl, prefix, configPath, apiPort, metricsPort, simPort, sim }) {
  const env = { ...process.env };
  const clock = ['CLOCK_OFFSET_MS', 'CLOCK_RATE', 'CLOCK_START_MS'];
  for (const k of ['SIM_CONFIG', 'SIM_FAULTS', 'SIMULATOR_URL', ...clock, ...clock.map((c) => `SIM_${c}`)]) delete env[k];
  return Object.assign(env, {
    REDIS_URL: redisUrl, KEY_PREFIX: prefix, REFRESH_CONFIG: configPath, LOG_LEVEL: 'warn', NODE_ENV: 'production',
    PORT: String(apiPort), METRICS_PORT: String(metricsPort),
    SIM_PORT: String(simPort), SIM_HOST: '127.0.0.1', SIM_PROJECT_ID: sim.projectId, SIM_ACCESS_KEY: sim.accessKey, SIM_SECRET_KEY: sim.secretKey,
  });
}
