import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';

/**
 * hold-budget.lua: the call never left, so the batch keeps its budget for the next attempt, or
 * (`release`) gives it back to the batch's day. The units held or released.
 */
export async function holdBudget(
  redis: ScriptedRedis,
  k: TenantKeys,
  r: { batchId: string; batchDay: string; release: boolean },
): Promise<number> {
  const reply = await runScript(redis, 'holdBudget', {
    keys: [k.batch(r.batchId), k.budget(r.batchDay), k.charges(r.batchDay), k.ledger(r.batchDay)],
    argv: [r.release ? 1 : 0, k.instancePrefix, k.requestPrefix],
  });
  return Number(reply);
}
