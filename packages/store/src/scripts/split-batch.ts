import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/** split-batch.lua: cuts a refused batch in two new ones, `<batch>.1` and `<batch>.2`; [] when it cannot. */
export async function splitBatch(redis: ScriptedRedis, k: TenantKeys, r: { batchId: string; now: number }): Promise<string[]> {
  const reply = await runScript(redis, 'splitBatch', {
    keys: [k.batch(r.batchId)],
    argv: [`${r.batchId}.1`, `${r.batchId}.2`, r.now, k.instancePrefix, k.batchPrefix, k.ledgerPrefix],
  });
  return replyList('splitBatch', reply).map(String);
}
