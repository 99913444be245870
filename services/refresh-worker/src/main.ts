import { ConfigError, LOG_REDACT, loadConfig } from '@refresh/config';
import pino from 'pino';
import { createHealthServer } from './health-server';
import { createRefreshWorker } from './worker-app';

/** Wiring only: config → logger → worker → health/metrics → start → shutdown. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`refresh-worker: invalid configuration\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = pino({
    name: 'refresh-worker',
    level: config.env.LOG_LEVEL,
    redact: LOG_REDACT,
  });
  const worker = createRefreshWorker({ config, logger });
  const health = createHealthServer(worker.metrics.registry, () => worker.readiness());
  await worker.start();
  const port = await health.start(config.env.METRICS_PORT);
  logger.info({ port, config: config.source }, 'worker health and metrics listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing calls in flight');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, 60_000);
    deadline.unref();
    await health.stop();
    await worker.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
