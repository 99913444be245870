import { runScript, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/** A slot of a shared pace: taken, or how long to wait before asking again. */
export type CallSlot = { ok: true } | { ok: false; retryInMs: number };

/**
 * acquire-call-slot.lua: takes one slot of a pace (a tenant's calls, tenantKeys `rate`, or a
 * caller's requests, callerKeys `rate`), or says how long until one frees (at least 1 ms).
 */
export async function acquireCallSlot(
  redis: ScriptedRedis,
  r: { pace: string; now: number; perSecond: number; burst: number },
): Promise<CallSlot> {
  const reply = await runScript(redis, 'acquireCallSlot', { keys: [r.pace], argv: [r.now, r.perSecond, r.burst] });
  const [ok, wait] = replyList('acquireCallSlot', reply);
  return ok === 1 ? { ok: true } : { ok: false, retryInMs: Math.max(1, Number(wait)) };
}
