import type { TenantKeys } from '../keys';
import { runScript, type ScriptArgs, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/**
 * What a failed batch's units went on, for the spend ledger: VOD refused its items, or the last
 * attempt's outcome is unknown, or its budget went back (holdBudget released it).
 */
export type FailedUse = 'refused' | 'unknown' | 'refunded';

/** `use`: what a failed batch's units went on (the spend ledger); none is recorded when absent */
export type BatchOutcome = { type: 'submitted'; taskId: string } | { type: 'failed'; code: string; message: string; use?: FailedUse };

/** `requeued`: covered URLs sent back as URLs when VOD refused their asset ids; only when there are any */
export interface FinishedBatch {
  items: number;
  completedRequests: string[];
  requeued?: number;
}

interface BatchFinish {
  batchId: string;
  outcome: BatchOutcome;
  now: number;
  /** the retention of the requests it completes */
  ttlSeconds: number;
}

function finishBatchArgs(k: TenantKeys, r: BatchFinish): ScriptArgs {
  const { outcome } = r;
  // outcome S with its task id, or X with its code and message
  const args = outcome.type === 'submitted' ? ['S', outcome.taskId, '', ''] : ['X', '', outcome.code, outcome.message.slice(0, 1000)];
  // a refund was counted by hold-budget.lua when it gave the budget back
  const use = outcome.type === 'failed' && outcome.use !== undefined && outcome.use !== 'refunded' ? outcome.use : '';
  return {
    keys: [k.batch(r.batchId), k.completions, k.pending],
    argv: [...args, r.now, r.ttlSeconds, k.instancePrefix, k.requestPrefix, use, k.ledgerPrefix],
  };
}

/** finish-batch.lua: records a batch's outcome on its items and their requests; idempotent. */
export async function finishBatch(redis: ScriptedRedis, k: TenantKeys, r: BatchFinish): Promise<FinishedBatch> {
  // {items recorded, URLs queued again, ids of requests this batch completed...}
  const res = replyList('finishBatch', await runScript(redis, 'finishBatch', finishBatchArgs(k, r)));
  const requeued = Number(res[1] ?? 0);
  return { items: Number(res[0] ?? 0), completedRequests: res.slice(2).map(String), ...(requeued ? { requeued } : {}) };
}
