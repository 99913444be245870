import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'api' | 'worker';

/**
 * One connection per role, each with an error listener (an unhandled 'error' would crash
 * the process). Workers wait for Redis to come back (`maxRetriesPerRequest: null`, as BullMQ
 * requires); the API fails fast so a Redis outage gives callers a clear 503, not a hang.
 */
export function createRedis(
  url: string,
  role: RedisRole,
  onError: (err: Error) => void,
  extra: RedisOptions = {},
): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const redis = new Redis(url, { ...options, ...extra });
  redis.on('error', onError);
  return redis;
}
