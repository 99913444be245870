import { ConfigError, LOG_REDACT, loadConfig, type AppConfig } from '@refresh/config';
import { QUEUE_NAMES, createRedis, queuePrefix } from '@refresh/store';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createApi } from './app';

/** ms the whole shutdown may take before the process exits anyway */
const SHUTDOWN_DEADLINE_MS = 10_000;

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

async function warnUnlessNoeviction(redis: Redis, logger: pino.Logger): Promise<void> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy !== 'noeviction') {
      logger.warn({ policy }, 'Redis maxmemory-policy is not noeviction: under memory pressure Redis may drop queued work');
    }
  } catch (err) {
    logger.warn({ err }, 'could not read Redis maxmemory-policy (CONFIG may be disabled); it must be noeviction');
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = pino({ name: 'ingest-api', level: config.env.LOG_LEVEL, redact: LOG_REDACT });
  logger.info({ source: config.source, tenants: config.tenants.map((t) => t.id) }, 'config loaded');

  const onRedisError = (role: string) => (err: Error) => logger.warn({ err, role }, 'redis connection error');
  const redis = createRedis(config.env.REDIS_URL, 'api', onRedisError('api'));
  // BullMQ gets its own connection, failing fast like the API's so an outage is a 503, not a hang
  const queueRedis = createRedis(config.env.REDIS_URL, 'api', onRedisError('queue'));
  redis.once('ready', () => void warnUnlessNoeviction(redis, logger));

  const ingest = new Queue(QUEUE_NAMES.ingest, { connection: queueRedis, prefix: queuePrefix(config.env.KEY_PREFIX) });
  ingest.on('error', (err) => logger.warn({ err }, 'ingest queue error'));
  // for the queue UI only; the worker adds its jobs
  const dispatch = new Queue(QUEUE_NAMES.dispatch, { connection: queueRedis, prefix: queuePrefix(config.env.KEY_PREFIX) });
  dispatch.on('error', (err) => logger.warn({ err }, 'dispatch queue error'));

  const offset = config.env.CLOCK_OFFSET_MS;
  const api = createApi({ config, redis, queues: { ingest, dispatch }, logger, now: () => Date.now() + offset });
  await api.start(config.env.PORT);

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    const quit = (r: Redis) => r.quit().then(() => undefined, () => r.disconnect());
    // reverse order of start: HTTP, then the queue, then the connections under them
    api
      .stop()
      .then(() => Promise.all([ingest.close(), dispatch.close()]))
      .then(() => Promise.all([quit(queueRedis), quit(redis)]))
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest-api failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
