import type { ItemKind } from '@refresh/core';
import type { TenantKeys } from '../keys';
import { runScript, type ScriptArgs, type ScriptedRedis } from './registry';
import { oneOf, replyList } from './reply';

/** The budget day a claim or an attempt spends on. */
export interface BudgetContext {
  dayId: string;
  dailyLimit: number;
  /** seconds a day's budget counter is kept; longer than a day so late refunds find it */
  ttlSeconds: number;
}

export interface ClaimOptions extends BudgetContext {
  now: number;
  lingerMs: number;
  maxItems: number;
  /**
   * The tenant's pace (maxCallsPerSecond): the claim takes the call slot its batch leaves
   * in, so a claimed batch never waits for one. Absent: no slot is taken (store tests).
   */
  callsPerSecond?: number;
  /**
   * The urgent reserve: until `releaseAt` (epoch ms), normal and low items may not take
   * today's used count past dailyLimit - units. Absent: no reserve.
   */
  reserve?: { units: number; releaseAt: number };
  /** each caller's weight in the fair sharing of a priority between callers' lanes (absent: 1) */
  weights?: Readonly<Record<string, number>>;
  /** the tenant's minRefreshIntervalMs: claims record when each item went, and queue held items when due */
  minRefreshIntervalMs?: number;
}

export type ClaimResult =
  | { action: 'existing' }
  | { action: 'idle' }
  | { action: 'wait'; until: number }
  /** today's budget is spent; or, with `until`, only the urgent reserve is left and only normal and low items wait, until its release */
  | { action: 'budget'; until?: number }
  /** a batch is ready, but the tenant's pace lets its call leave only at `until`: nothing claimed */
  | { action: 'pace'; until: number }
  | { action: 'send'; kind: ItemKind; more: number; ids: string[]; values: string[] };

function claimBatchArgs(k: TenantKeys, { batchId, ...o }: ClaimOptions & { batchId: string }): ScriptArgs {
  const perSecond = o.callsPerSecond ?? 0;
  return {
    keys: [
      k.pending, k.budget(o.dayId), k.batch(batchId), ...k.allQueues(), k.rate, k.lanes, k.fair, k.charges(o.dayId),
      k.lastSent, k.held, k.ledger(o.dayId),
    ],
    argv: [
      o.now, o.lingerMs, o.maxItems, o.dailyLimit, o.ttlSeconds,
      k.instancePrefix, k.requestPrefix, batchId, o.dayId, perSecond, Math.max(1, Math.ceil(perSecond)),
      o.reserve?.units ?? 0, o.reserve?.releaseAt ?? 0, o.minRefreshIntervalMs ?? 0, ...Object.entries(o.weights ?? {}).flat(),
    ],
  };
}

/** {'existing'} | {'idle'} | {'wait', until} | {'budget'[, until]} | {'pace', until} | {'send', kind, more, id1, v1, ...} */
function parseClaim(reply: unknown): ClaimResult {
  const res = replyList('claimBatch', reply);
  switch (oneOf('claimBatch', res[0], ['existing', 'idle', 'wait', 'budget', 'pace', 'send'])) {
    case 'pace': return { action: 'pace', until: Number(res[1]) };
    case 'existing': return { action: 'existing' };
    case 'idle': return { action: 'idle' };
    case 'budget': return res[1] === undefined ? { action: 'budget' } : { action: 'budget', until: Number(res[1]) };
    case 'wait': return { action: 'wait', until: Number(res[1]) };
    case 'send': {
      // the pairs: instance id, item key ("a:<asset id>" or "u:<url>"), sent as the value
      const ids: string[] = [];
      const values: string[] = [];
      for (let i = 3; i < res.length; i += 2) {
        ids.push(String(res[i]));
        values.push(String(res[i + 1]).slice(2));
      }
      return { action: 'send', kind: res[1] === 'a' ? 'asset_id' : 'url', more: Number(res[2]), ids, values };
    }
  }
}

/** claim-batch.lua: claims the tenant's next batch as `batchId` and reserves its budget, or says why not. */
export async function claimBatch(redis: ScriptedRedis, k: TenantKeys, r: ClaimOptions & { batchId: string }): Promise<ClaimResult> {
  return parseClaim(await runScript(redis, 'claimBatch', claimBatchArgs(k, r)));
}
