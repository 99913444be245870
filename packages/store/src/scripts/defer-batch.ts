import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';

/**
 * defer-batch.lua: the batch waits for the budget reset `until` (epoch ms; 0 ends the wait):
 * its items show as deferred until then. The items moved (0 when nothing changed state).
 */
export async function deferBatch(redis: ScriptedRedis, k: TenantKeys, r: { batchId: string; until: number }): Promise<number> {
  return Number(await runScript(redis, 'deferBatch', { keys: [k.batch(r.batchId)], argv: [r.until, k.instancePrefix, k.requestPrefix] }));
}
