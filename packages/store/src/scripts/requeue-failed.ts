import type { Priority } from '@refresh/core';
import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/** One page of a requeue. */
export interface RequeuedPage {
  requeued: number;
  /** the next page's first index, or -1 after the last page */
  next: number;
  /** this page reopened the complete request */
  reopened: boolean;
}

/** The script's answers other than a page: the request is gone, was canceled, or its completion is not retired yet. */
const ANSWER_OF_CODE = new Map<number, 'gone' | 'canceled' | 'busy'>([[-1, 'gone'], [-2, 'canceled'], [-3, 'busy']]);

/**
 * requeue-failed.lua: makes one page of the request's failed items pending again, queued at the
 * request's `priority` in its `caller`'s lane.
 */
export async function requeueFailed(
  redis: ScriptedRedis,
  k: TenantKeys,
  r: { requestId: string; priority: Priority; caller: string; from: number; pageSize: number; now: number },
): Promise<RequeuedPage | 'gone' | 'canceled' | 'busy'> {
  const reply = await runScript(redis, 'requeueFailed', {
    keys: [
      k.pending, k.seq, k.request(r.requestId), k.requestItems(r.requestId), k.requestTasks(r.requestId),
      k.queue('asset_id', r.priority, r.caller), k.queue('url', r.priority, r.caller),
    ],
    argv: [r.requestId, r.from, r.pageSize, r.now, k.instancePrefix],
  });
  // {requeued, next index or -1, reopened 0|1}, or {-1}, {-2}, {-3}
  const [n = 0, next = -1, opened = 0] = replyList('requeueFailed', reply);
  const answer = ANSWER_OF_CODE.get(Number(n));
  if (answer) return answer;
  return { requeued: Number(n), next: Number(next), reopened: opened === 1 };
}
