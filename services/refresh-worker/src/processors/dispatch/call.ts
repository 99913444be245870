import { budgetDay } from '@refresh/core';
import { batchItemIds } from '@refresh/store';
import type { RefreshVerdict } from '@refresh/vod-client';
import { takeCallSlot } from '../../upstream/call-gate';
import { MAX_LINKED_REQUESTS } from '../../upstream/call-trace';
import { TenantCredentialsError } from '../../upstream/iam-tokens';
import type { Attempt } from './context';
import { blockTenant, waitForReset } from './park';

/** RefreshAsset's success status: an accepted call's code on its span. */
const ACCEPTED_CODE = 'HTTP.202';

/** One call to VOD for the attempt's batch: a span of its own trace, linked to the requests whose items it carries. */
export function callVod(a: Attempt): Promise<RefreshVerdict> {
  const { ctx, tenant, batch } = a;
  return a.trace.call(
    'vod.refresh',
    { 'refresh.tenant': tenant.id, 'refresh.batch.kind': batch.kind, 'refresh.batch.items': batchItemIds(batch).length, 'refresh.call.attempt': a.attempt },
    () => ctx.store.requestTraceparents(tenant.id, batchItemIds(batch), MAX_LINKED_REQUESTS + 1),
    () => guardedCall(a),
    (verdict) => ({ outcome: verdict.class, code: verdict.class === 'accepted' ? ACCEPTED_CODE : verdict.code }),
  );
}

/**
 * One call, after pacing. Waiting for a call slot may carry us into the midnight margin: then
 * the call waits for the reset (with its budget held), as calls that start there always do.
 * An IAM password refusal blocks the tenant: nothing reached VOD, the budget is held.
 */
async function guardedCall(a: Attempt): Promise<RefreshVerdict> {
  const { ctx, tenant, day } = a;
  try {
    if (a.slotHeld) a.slotHeld = false;
    else await takeCallSlot(ctx.gate, ctx.clock, tenant, (ms) => a.trace.paced(ms));
    const at = ctx.clock.now();
    if (budgetDay(at, tenant.timezone).dayId !== day.dayId || day.resetsAt - at < ctx.midnightGuardMs) {
      await ctx.store.holdBudget(tenant.id, a.batchId, day.dayId, false);
      return await waitForReset(a, day.resetsAt, at);
    }
    if (a.waiting) {
      await ctx.store.endDeferral(tenant.id, a.batchId);
      a.waiting = false;
    }
    return await timedCall(a);
  } catch (err) {
    if (!(err instanceof TenantCredentialsError)) throw err;
    await ctx.store.holdBudget(tenant.id, a.batchId, day.dayId, false);
    return blockTenant(a, { reason: 'credentials', code: err.code, message: err.message });
  }
}

async function timedCall(a: Attempt): Promise<RefreshVerdict> {
  const started = process.hrtime.bigint();
  const verdict = await a.ctx.call(a.tenant, a.batch.kind, a.batch.values);
  a.ctx.metrics.upstreamLatency(a.tenant.id, Number(process.hrtime.bigint() - started) / 1e9);
  return verdict;
}
