/**
 * Acts on the verdict of a batch's call (docs/upstream-vod.md, "What the worker does with each
 * answer"): records a task id or a failure, splits a batch VOD refused for its items, pauses or
 * throttles the tenant, ends the budget day, or has the call retried.
 */
import { backoffDelay } from '@refresh/core';
import type { RefreshVerdict } from '@refresh/vod-client';
import { BUDGET_TTL_SECONDS, type Attempt } from './context';
import { finish, wakeIfPending } from './finish';
import { RetryableCallError, blockTenant, handBack, waitForReset } from './park';

type VerdictOf<C extends RefreshVerdict['class']> = Extract<RefreshVerdict, { class: C }>;

/** A verdict to act on: an expired token was renewed and the call made again (send.ts). */
export type FinalVerdict = Exclude<RefreshVerdict, { class: 'token_expired' }>;

export async function applyVerdict(a: Attempt, verdict: FinalVerdict): Promise<string> {
  switch (verdict.class) {
    case 'accepted':
      return submitted(a, verdict);
    case 'rejected_items':
      return refusedItems(a, verdict);
    case 'tenant_blocked':
      return blockTenant(a, verdict);
    case 'throttled':
      return throttled(a, verdict);
    case 'quota_spent':
      return quotaSpent(a, verdict);
    case 'retry_later':
      return retryLater(a, verdict);
  }
}

async function submitted(a: Attempt, verdict: VerdictOf<'accepted'>): Promise<string> {
  const { ctx, tenant, batch } = a;
  await finish(a, { type: 'submitted', taskId: verdict.taskId });
  // counted as soon as Redis says submitted, so a scrape never shows the items sent but uncounted
  ctx.metrics.itemsSent(tenant.id, batch.kind, batch.ids.length);
  ctx.metrics.itemsSubmitted(tenant.id, batch.enqueuedAt, ctx.clock.now());
  await ctx.enqueue.poll(tenant.id, a.batchId, verdict.taskId, ctx.clock.now());
  if (a.probing && (await ctx.gate.resume(tenant.id))) {
    a.log.info('VOD accepted the probe: tenant resumed');
    await wakeIfPending(ctx, tenant.id);
    await ctx.onResume?.(tenant.id);
  }
  a.log.info({ taskId: verdict.taskId, attempt: a.attempt }, 'batch submitted');
  return 'submitted';
}

async function refusedItems(a: Attempt, verdict: VerdictOf<'rejected_items'>): Promise<string> {
  const { ctx, tenant, batch } = a;
  if (batch.ids.length > 1) {
    // one bad item fails a whole call: resend the halves until the offenders are alone
    const children = await ctx.store.splitBatch(tenant.id, a.batchId, ctx.clock.now());
    for (const child of children) await ctx.enqueue.batch(tenant.id, child);
    a.log.info({ code: verdict.code, children }, 'batch refused for its items: split in two');
    return 'split';
  }
  await finish(a, { type: 'failed', code: verdict.code, message: verdict.message, use: 'refused' });
  a.log.warn({ code: verdict.code, value: batch.values[0] }, 'item refused by VOD');
  return 'rejected';
}

async function throttled(a: Attempt, verdict: VerdictOf<'throttled'>): Promise<never> {
  const { ctx, tenant } = a;
  const { backoffBaseMs: baseMs, backoffMaxMs: maxMs } = ctx.config.upstream;
  const wait = Math.max(verdict.retryAfterMs ?? 0, backoffDelay(a.attempt, { baseMs, maxMs }));
  const until = ctx.clock.now() + wait;
  // the gateway's own 429 never reached VOD: the batch's budget comes back until it is resent
  if (!verdict.reachedUpstream) await ctx.store.holdBudget(tenant.id, a.batchId, a.day.dayId, false);
  await ctx.gate.throttle(tenant.id, until);
  a.trace.waits('throttle', until);
  a.log.warn({ until: new Date(until).toISOString() }, 'VOD throttled the tenant: every replica backs off');
  return handBack(a, ctx.clock.realMs(wait));
}

async function quotaSpent(a: Attempt, verdict: VerdictOf<'quota_spent'>): Promise<never> {
  const { ctx, tenant, day } = a;
  await ctx.gate.markQuotaSpent(tenant.id, day.dayId, tenant.dailyLimit, BUDGET_TTL_SECONDS);
  a.log.warn({ code: verdict.code, resetsAt: new Date(day.resetsAt).toISOString() }, "VOD says today's quota is spent: deferred to the reset");
  return waitForReset(a, day.resetsAt, ctx.clock.now());
}

/** Retried with backoff (a job attempt) while attempts are left; after the last, the items fail. */
async function retryLater(a: Attempt, verdict: VerdictOf<'retry_later'>): Promise<string> {
  const { ctx, tenant } = a;
  if (verdict.unknownCode) {
    ctx.metrics.unknownCode(tenant.id);
    a.log.warn({ code: verdict.code, message: verdict.message }, 'unknown VOD answer: retried later');
  }
  const { reachedUpstream, code, message } = verdict;
  const last = a.attempt >= ctx.maxAttempts;
  if (!reachedUpstream) await ctx.store.holdBudget(tenant.id, a.batchId, a.day.dayId, last);
  if (last) {
    await finish(a, { type: 'failed', code, message, use: reachedUpstream ? 'unknown' : 'refunded' });
    a.log.error({ code, attempt: a.attempt, reachedUpstream }, 'batch failed after the last attempt');
    return 'failed';
  }
  a.log.warn({ attempt: a.attempt, code, reachedUpstream }, 'call failed; will retry');
  throw new RetryableCallError(message, verdict.retryAfterMs);
}
