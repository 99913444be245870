import type { RedisClient } from './connections';
import { PACK_BUCKET, parsePacked, type TenantKeys } from './keys';

/**
 * Fields of instances, whole (their HASH) or packed (a slot of a bucket LIST, which holds only
 * v, r and t: lua/includes/instances.lua), in the order of `fields`, null where absent. Two
 * pipelined reads at most: the HASHes, then the slots of those that had none.
 */
export async function instanceRows(
  redis: RedisClient,
  k: TenantKeys,
  ids: readonly string[],
  fields: readonly string[],
): Promise<Array<Array<string | null>>> {
  if (ids.length === 0) return [];
  const whole = redis.pipeline();
  for (const id of ids) whole.hmget(k.instance(id), ...fields);
  const rows = ((await whole.exec()) ?? []).map(([, row]) => (row ?? fields.map(() => null)) as Array<string | null>);
  const packedAt = ids.flatMap((id, i) => (rows[i]?.every((v) => v === null) ? [i] : []));
  if (packedAt.length === 0) return rows;
  const slots = redis.pipeline();
  for (const i of packedAt) slots.lindex(k.packedBucket(ids[i]!), Number(ids[i]) % PACK_BUCKET);
  const records = ((await slots.exec()) ?? []).map(([, rec]) => parsePacked(rec as string | null));
  packedAt.forEach((i, j) => {
    const p = records[j];
    if (p) rows[i] = fields.map((f) => (f === 'v' ? p.v : f === 'r' ? p.r || null : f === 't' ? p.t : null));
  });
  return rows;
}
