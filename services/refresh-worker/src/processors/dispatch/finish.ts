import type { DispatchStore } from '@refresh/store';
import type { DispatchContext, Run } from './context';

/**
 * Records a batch's outcome; requests it completed are relayed to the completions queue, and
 * covered URLs it sent back to the queue (VOD refused their asset id) get a dispatcher.
 */
export async function finish(run: Run, outcome: Parameters<DispatchStore['finishBatch']>[2]): Promise<void> {
  const { ctx, tenant } = run;
  const { completedRequests, requeued } = await ctx.store.finishBatch(tenant.id, run.batchId, outcome, ctx.clock.now(), ctx.retentionSeconds);
  if (completedRequests.length > 0) await ctx.completions.relay(tenant.id);
  if (requeued) await ctx.enqueue.now(tenant.id);
}

export async function wakeIfPending(ctx: DispatchContext, tenantId: string): Promise<void> {
  if (await ctx.store.hasPending(tenantId)) await ctx.enqueue.now(tenantId);
}
