import type { TenantKeys } from '../keys';
import type { BudgetContext } from './claim-batch';
import { runScript, type ScriptedRedis } from './registry';
import { oneOf, replyList } from './reply';

/** ok: the call may go, its budget spent; budget: not enough left today; done: the batch is finished; missing: no such batch. */
export type AttemptStart = 'ok' | 'budget' | 'done' | 'missing';

/** begin-attempt.lua: spends the batch's budget for one call, just before it is made. */
export async function beginAttempt(redis: ScriptedRedis, k: TenantKeys, r: BudgetContext & { batchId: string }): Promise<AttemptStart> {
  const reply = await runScript(redis, 'beginAttempt', {
    keys: [k.batch(r.batchId), k.budget(r.dayId), k.charges(r.dayId), k.ledger(r.dayId)],
    argv: [r.dailyLimit, r.ttlSeconds, r.dayId, k.instancePrefix, k.requestPrefix, k.ledgerPrefix],
  });
  // {'ok', attempts} | {'budget'} | {'done'} | {'missing'}
  return oneOf('beginAttempt', replyList('beginAttempt', reply)[0], ['ok', 'budget', 'done', 'missing']);
}
