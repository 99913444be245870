import type { RequestView } from '@refresh/contract';
import { callerWeights, type AppConfig, type TenantConfig } from '@refresh/config';
import { budgetDay, estimateCompletion, heldAtMostAt, nextReleaseStep, reserveRule, spendableToday } from '@refresh/core';
import type { BudgetState } from './budget-state';
import type { ApiContext } from '../context';
import { dependency } from '../http/errors';
import { gateState, type GateState } from './gate-state';

/** The completion estimate as requests, POST answers and the budget show it (completionEstimate in the contract). */
export type EstimateFields = Pick<RequestView, 'estimated_completion_at' | 'budget_days_needed'>;

export const NO_ESTIMATE: EstimateFields = { estimated_completion_at: null, budget_days_needed: null };

/**
 * The estimate for `itemsAhead` items of the tenant's queues (claim order, own items included),
 * from today's budget, the daily limit, the tenant's pace, batching and the first poll for
 * VOD's verdict (estimateCompletion in @refresh/core). `itemsAhead` null: nothing to wait for.
 * A paused tenant sends nothing until VOD accepts it again, so there is no time to give, but the
 * budget days still say how much budget the items need once it resumes.
 */
export function estimateFields(
  config: AppConfig,
  tenant: TenantConfig,
  itemsAhead: number | null,
  budget: Pick<BudgetState, 'remaining' | 'dailyLimit'>,
  gate: GateState,
  now: number,
): EstimateFields {
  if (itemsAhead === null) return NO_ESTIMATE;
  const eta = estimateCompletion({
    now,
    itemsAhead,
    remainingToday: budget.remaining,
    dailyLimit: budget.dailyLimit,
    timezone: tenant.timezone,
    callsPerSecond: tenant.maxCallsPerSecond,
    maxItemsPerCall: config.batching.maxItems,
    lingerMs: config.batching.lingerMs,
    verdictDelayMs: config.upstream.pollInitialDelayMs,
    notBefore: gate.throttledUntil ?? undefined,
  });
  return {
    estimated_completion_at: gate.paused ? null : new Date(eta.estimatedCompletionAt).toISOString(),
    budget_days_needed: eta.budgetDays,
  };
}

/** What a request's view needs besides its record, read together (requestOutlook). */
export interface RequestOutlook {
  estimate: EstimateFields;
  /** today's budget as describeRequest uses it: spent (pending items are deferred) and when it resets */
  budget: Pick<BudgetState, 'spent' | 'resetsAt'>;
}

/**
 * Reads what one request's view needs: its position in the tenant's queues and today's budget
 * `used` (one script, so a claim between two reads cannot make them disagree), and the gate. The
 * estimate and whether the budget is spent both come from that one `used`.
 */
export async function requestOutlook(ctx: ApiContext, tenant: TenantConfig, requestId: string, now: number): Promise<RequestOutlook> {
  const day = budgetDay(now, tenant.timezone);
  const [position, gate] = await Promise.all([
    dependency(ctx.store.position(requestId, day.dayId, callerWeights(ctx.config, tenant.id))),
    gateState(ctx.gate, tenant.id, now),
  ]);
  // null only for an id that names no tenant, which no recorded request has
  if (position === null) return { estimate: NO_ESTIMATE, budget: { spent: false, resetsAt: day.resetsAt } };
  const remaining = Math.max(0, tenant.dailyLimit - position.used);
  // Normal and low items cannot spend the urgent reserve before its release. When what they may
  // spend now does not reach the request's last item, the reserve's release is when the rest of
  // today's budget opens to them.
  const rule = reserveRule(tenant.reserve, day.resetsAt);
  const spendable = spendableToday(rule, remaining, position.priority, now);
  const waitsForRelease = spendable < remaining && position.itemsAhead > spendable;
  const budgetToday = { remaining: waitsForRelease ? remaining : spendable, dailyLimit: tenant.dailyLimit };
  // the request's last item waits until the release has freed enough for it (if today can at all)
  const freedEnough = heldAtMostAt(rule, Math.max(0, remaining - position.itemsAhead));
  // nothing goes before that, nor before the request's not_before
  const notBefore = Math.max(gate.throttledUntil ?? 0, waitsForRelease ? freedEnough : 0, position.notBefore ?? 0);
  const eta = notBefore > now ? { ...gate, throttledUntil: notBefore } : gate;
  return {
    estimate: estimateFields(ctx.config, tenant, position.itemsAhead, budgetToday, eta, now),
    // nothing of this request moves before the reset, or before the release when only the reserve is left
    budget: { spent: spendable === 0, resetsAt: remaining > 0 && spendable === 0 ? nextReleaseStep(rule, now) : day.resetsAt },
  };
}
