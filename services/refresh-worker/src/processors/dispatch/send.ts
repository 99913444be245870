import type { RefreshVerdict } from '@refresh/vod-client';
import { applyVerdict, type FinalVerdict } from './apply-verdict';
import { callVod } from './call';
import type { Attempt } from './context';
import { waitForReset } from './park';

/**
 * Sends the batch the attempt holds: spends budget for the attempt (begin-attempt.lua), calls
 * VOD, counts the call by its verdict and acts on that verdict.
 */
export async function sendBatch(a: Attempt): Promise<string> {
  const { ctx, tenant, day } = a;
  const begun = await ctx.store.beginAttempt(tenant.id, a.batchId, a.budget);
  if (begun === 'done' || begun === 'missing') return begun;
  if (begun === 'budget') {
    // a retry needs fresh budget and today has none left: wait for the reset
    a.log.info({ resetsAt: new Date(day.resetsAt).toISOString() }, 'retry deferred to the budget reset');
    return waitForReset(a, day.resetsAt, a.now);
  }
  const first = await callVod(a);
  const verdict = first.class === 'token_expired' ? await callWithNewToken(a, first) : first;
  ctx.metrics.upstreamCall(tenant.id, verdict.class);
  return applyVerdict(a, verdict);
}

/**
 * VOD refused the IAM token as expired (it was invalidated early): fetch a new one and call
 * once more (a new call, new budget). Refused again, the tenant's credentials are blocked.
 */
async function callWithNewToken(a: Attempt, refused: Extract<RefreshVerdict, { class: 'token_expired' }>): Promise<FinalVerdict> {
  const { ctx, tenant, day } = a;
  await ctx.invalidateToken(tenant);
  const again = await ctx.store.beginAttempt(tenant.id, a.batchId, a.budget);
  if (again === 'budget') {
    a.log.info({ resetsAt: new Date(day.resetsAt).toISOString() }, 'token retry deferred to the budget reset');
    return waitForReset(a, day.resetsAt, ctx.clock.now());
  }
  const verdict = again === 'ok' ? await callVod(a) : refused;
  if (verdict.class !== 'token_expired') return verdict;
  return { ...verdict, class: 'tenant_blocked', reason: 'credentials', code: 'APIGW.0307', message: 'IAM token refused twice in a row' };
}
