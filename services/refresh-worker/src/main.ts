// first: tracing must be set up before anything it instruments is loaded
import { tracing } from './ops/tracing';
import { ConfigError, LOG_REDACT, loadConfig } from '@refresh/config';
import { installShutdown } from '@refresh/lifecycle';
import pino from 'pino';
import { createHealthServer } from './ops/health-server';
import { createRefreshWorker } from './worker-app';

/** ms after the grace for queues and Redis to close before the process exits anyway */
const CLOSE_MARGIN_MS = 5_000;

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
  const callMs = config.upstream.connectTimeoutMs + config.upstream.timeoutMs;
  if (config.env.SHUTDOWN_GRACE_MS < callMs) {
    // a call still on the wire when the grace ends is let go; its batch is sent again later
    logger.warn({ graceMs: config.env.SHUTDOWN_GRACE_MS, callMs }, 'SHUTDOWN_GRACE_MS is shorter than one upstream call may last');
  }
  const { CLOCK_OFFSET_MS: offsetMs, CLOCK_RATE: rate, CLOCK_START_MS: startMs } = config.env;
  if (offsetMs !== 0 || rate !== 1) logger.warn({ offsetMs, rate, startMs }, 'clock offset or accelerated: for tests and drills only');
  const worker = createRefreshWorker({ config, logger, tracing: tracing.on });
  const health = createHealthServer(worker.metrics.registry, () => worker.readiness(), config.metrics.bearerTokenSha256);
  const graceMs = config.env.SHUTDOWN_GRACE_MS;
  // before anything starts: a signal that comes while starting must find its handler, not
  // Node's default, which ends the process at once (seen as an exit by signal in a test)
  installShutdown({
    logger,
    stopping: 'shutting down: finishing calls in flight',
    fields: { graceMs },
    // a bound on everything, a Redis that does not answer included
    deadlineMs: graceMs + CLOSE_MARGIN_MS,
    stop: async () => {
      await health.stop();
      await worker.stop({ graceMs });
      // the spans of the last calls, before the process ends
      await tracing.shutdown();
    },
    hurry: () => worker.endGrace(),
  });
  await worker.start();
  const port = await health.start(config.env.METRICS_PORT);
  logger.info({ port, config: config.source }, 'worker health and metrics listening');
}

void main();
