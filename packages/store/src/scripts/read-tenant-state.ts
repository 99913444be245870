import type { Priority } from '@refresh/core';
import type { ChainableCommander } from 'ioredis';
import type { TenantKeys } from '../keys';
import { queueScript } from './registry';
import { replyList } from './reply';

/** What read-tenant-state.lua reads of a tenant's queues and budget day. */
export interface TenantQueues {
  /** items reserved on the budget day */
  used: number;
  /** items in the tenant's pending queues, both kinds summed */
  pending: Record<Priority, number>;
  /** epoch ms the oldest pending item was coalesced; null when nothing is pending */
  oldestPendingAt: number | null;
}

/**
 * read-tenant-state.lua, in a pipeline of a ScriptedRedis (the metrics read a tenant in one
 * pipeline); read its reply with parseTenantQueues.
 */
export function queueReadTenantState(pipe: ChainableCommander, k: TenantKeys, r: { dayId: string }): void {
  queueScript(pipe, 'readTenantState', { keys: [k.budget(r.dayId), ...k.allQueues(), k.lanes], argv: [k.instancePrefix] });
}

/** {used, a:h n l, u:h n l, oldest}: the queues in allQueues() order; oldest -1 when none. */
export function parseTenantQueues(reply: unknown): TenantQueues {
  const r = replyList('readTenantState', reply).map(Number);
  // both kinds' queues of priority j (0 high, 1 normal, 2 low)
  const queued = (j: number) => (r[1 + j] ?? 0) + (r[4 + j] ?? 0);
  const oldest = r[7] ?? -1;
  return { used: r[0] ?? 0, pending: { high: queued(0), normal: queued(1), low: queued(2) }, oldestPendingAt: oldest >= 0 ? oldest : null };
}
