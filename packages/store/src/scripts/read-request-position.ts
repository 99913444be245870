import type { Priority } from '@refresh/core';
import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/** Where a request's last item stands in its tenant's queues (read-request-position.lua). */
export interface RequestPosition {
  /** items that go out before the request's last, its own included */
  itemsAhead: number;
  /** false when itemsAhead is the over-estimate "everything at its priority and above" */
  exact: boolean;
  /** budget reserved on the day asked for, read at the same moment */
  used: number;
  priority: Priority;
  /** epoch ms before which the request is not sent (scheduled) */
  notBefore?: number;
}

/**
 * read-request-position.lua: the request's position, with `dayId`'s budget used; `weights` are
 * the tenant's callers' weights (claim-batch.lua shares a priority between them by weight).
 */
export async function readRequestPosition(
  redis: ScriptedRedis,
  k: TenantKeys,
  r: { requestId: string; dayId: string; weights: Readonly<Record<string, number>> },
): Promise<RequestPosition> {
  const reply = await runScript(redis, 'readRequestPosition', {
    keys: [k.request(r.requestId), ...k.allQueues(), k.budget(r.dayId), k.lanes],
    argv: [k.instancePrefix, ...Object.entries(r.weights).flat()],
  });
  // {items_ahead, exact, used, rank (1 high, 2 normal, 3 low), not_before or 0}
  const [ahead, exact, used, rank, nb] = replyList('readRequestPosition', reply);
  const priority: Priority = rank === 1 ? 'high' : rank === 3 ? 'low' : 'normal';
  return { itemsAhead: Number(ahead ?? 0), exact: exact === 1, used: Number(used ?? 0), priority, ...(Number(nb) > 0 && { notBefore: Number(nb) }) };
}
