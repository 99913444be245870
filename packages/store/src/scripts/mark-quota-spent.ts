import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';

/** mark-quota-spent.lua: raises the day's budget counter to the limit (never lowers it); the counter after. */
export async function markQuotaSpent(
  redis: ScriptedRedis,
  k: TenantKeys,
  r: { dayId: string; dailyLimit: number; ttlSeconds: number },
): Promise<number> {
  return Number(await runScript(redis, 'markQuotaSpent', { keys: [k.budget(r.dayId), k.ledger(r.dayId)], argv: [r.dailyLimit, r.ttlSeconds] }));
}
