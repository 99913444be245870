import { randomBytes } from 'node:crypto';
import { createRedis, deleteKeysUnder, type RedisClient } from '../src';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** where tests connect: the shared Redis, or the cluster `npm run test:cluster` starts (REDIS_CLUSTER_NODES) */
export const REDIS_TARGET = { REDIS_URL, REDIS_CLUSTER_NODES: (process.env.REDIS_CLUSTER_NODES ?? '').split(',').filter(Boolean) };

/** A key prefix of its own per test file, so test files can run side by side on one Redis. */
export function testPrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under the prefix (ours and BullMQ's). */
export async function cleanPrefix(redis: RedisClient, prefix: string): Promise<void> {
  await deleteKeysUnder(redis, prefix);
}

export function newRedis(): RedisClient {
  return createRedis(REDIS_TARGET, 'worker', () => undefined);
}
