import type { Redis } from 'ioredis';

/** Every key under `<prefix>:` (ours and BullMQ's), by SCAN so Redis is never blocked. */
export async function scanKeysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out;
}

/**
 * Deletes every key under `<prefix>:` (UNLINK: freed in the background). For tests, benches
 * and decommissioning a KEY_PREFIX; never called by the running service.
 */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<number> {
  const keys = await scanKeysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
  return keys.length;
}
