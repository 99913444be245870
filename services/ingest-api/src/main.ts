// first: tracing must be set up before anything it instruments is loaded
import { tracing } from './ops/tracing';
import { ConfigError, LOG_REDACT, loadConfig, type AppConfig } from '@refresh/config';
import { queueTelemetry } from '@refresh/telemetry';
import { acceleratedClock } from '@refresh/core';
import { installShutdown } from '@refresh/lifecycle';
import { QUEUE_NAMES, checkMemoryPolicy, createRedis, queuePrefix } from '@refresh/store';
import { Queue } from 'bullmq';
import type { RedisClient } from '@refresh/store';
import pino from 'pino';
import { STOP_MARGIN_MS, createApi } from './app';

/** ms after the HTTP side has stopped for queues and Redis to close before the process exits anyway */
const CLOSE_MARGIN_MS = 5_000;

function readConfig(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = pino({ name: 'ingest-api', level: config.env.LOG_LEVEL, redact: LOG_REDACT });
  logger.info({ source: config.source, tenants: config.tenants.map((t) => t.id) }, 'config loaded');

  const onRedisError = (role: string) => (err: Error) => logger.warn({ err, role }, 'redis connection error');
  const redis = createRedis(config.env, 'api', onRedisError('api'));
  // BullMQ gets its own connection, failing fast like the API's so an outage is a 503, not a hang
  const queueRedis = createRedis(config.env, 'api', onRedisError('queue'));
  redis.once('ready', () => void checkMemoryPolicy(redis, logger));

  // BullMQ's producer spans: an ingest job carries its request's trace to the worker
  const telemetry = queueTelemetry(tracing.on);
  const ingest = new Queue(QUEUE_NAMES.ingest, { connection: queueRedis, prefix: queuePrefix(config.env.KEY_PREFIX), telemetry });
  ingest.on('error', (err) => logger.warn({ err }, 'ingest queue error'));
  // for the queue UI, and the wake-ups of admin actions; the worker adds the other jobs
  const dispatch = new Queue(QUEUE_NAMES.dispatch, { connection: queueRedis, prefix: queuePrefix(config.env.KEY_PREFIX) });
  dispatch.on('error', (err) => logger.warn({ err }, 'dispatch queue error'));
  // admin cancels that complete requests relay them here; shown in the queue UI too
  const completions = new Queue(QUEUE_NAMES.completions, { connection: queueRedis, prefix: queuePrefix(config.env.KEY_PREFIX) });
  completions.on('error', (err) => logger.warn({ err }, 'completions queue error'));
  const webhooks = new Queue(QUEUE_NAMES.webhooks, { connection: queueRedis, prefix: queuePrefix(config.env.KEY_PREFIX) });
  webhooks.on('error', (err) => logger.warn({ err }, 'webhooks queue error'));

  // the worker's clock (CLOCK_OFFSET_MS, CLOCK_RATE, CLOCK_START_MS): the wall clock in production
  const clock = acceleratedClock({ offsetMs: config.env.CLOCK_OFFSET_MS, rate: config.env.CLOCK_RATE, startMs: config.env.CLOCK_START_MS });
  const { CLOCK_OFFSET_MS: offsetMs, CLOCK_RATE: rate, CLOCK_START_MS: startMs } = config.env;
  if (offsetMs !== 0 || rate !== 1) logger.warn({ offsetMs, rate, startMs }, 'clock offset or accelerated: for tests and drills only');
  const api = createApi({ config, redis, queues: { ingest, dispatch, completions, webhooks }, logger, now: clock.now, realMs: clock.realMs });
  await api.start(config.env.PORT);

  const graceMs = config.env.SHUTDOWN_GRACE_MS;
  const quit = (r: RedisClient) => r.quit().then(() => undefined, () => r.disconnect());
  installShutdown({
    logger,
    stopping: 'shutting down: finishing requests in flight',
    fields: { graceMs },
    // a bound on everything, a Redis that does not answer included
    deadlineMs: graceMs + STOP_MARGIN_MS + CLOSE_MARGIN_MS,
    // reverse order of start: HTTP, then the queue, then the connections under them
    stop: async () => {
      await api.stop({ graceMs });
      await Promise.all([ingest.close(), dispatch.close(), completions.close(), webhooks.close()]);
      await Promise.all([quit(queueRedis), quit(redis)]);
      // the spans of the last requests, before the process ends
      await tracing.shutdown();
    },
    // a second signal: no more waiting for uploads, but still a clean stop
    hurry: () => api.endGrace(),
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest-api failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
