import calculateSlot from 'cluster-key-slot';
import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connections';

/** Every key under `<prefix>:` (ours and BullMQ's), by SCAN so Redis is never blocked. */
export async function scanKeysUnder(redis: RedisClient, prefix: string): Promise<string[]> {
  // a cluster's SCAN sees one node only: scan every master
  const nodes: Redis[] = isCluster(redis) ? redis.nodes('master') : [redis];
  const out: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      out.push(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return out;
}

/**
 * Deletes every key under `<prefix>:` (UNLINK: freed in the background). For tests, benches
 * and decommissioning a KEY_PREFIX; never called by the running service.
 */
export async function deleteKeysUnder(redis: RedisClient, prefix: string): Promise<number> {
  const keys = await scanKeysUnder(redis, prefix);
  await unlinkKeys(redis, keys);
  return keys.length;
}

/**
 * UNLINKs any keys, in chunks of at most 500. On a cluster a multi-key command must stay in
 * one slot, so the keys go by slot there.
 */
export async function unlinkKeys(redis: RedisClient, keys: readonly string[]): Promise<number> {
  const groups = new Map<number, string[]>();
  for (const key of keys) {
    const slot = isCluster(redis) ? calculateSlot(key) : 0;
    const g = groups.get(slot);
    if (g) g.push(key);
    else groups.set(slot, [key]);
  }
  let removed = 0;
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += 500) removed += await redis.unlink(...group.slice(i, i + 500));
  }
  return removed;
}
