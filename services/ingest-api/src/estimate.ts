import type { AppConfig, TenantConfig } from '@refresh/config';
import { budgetDay, estimateCompletion } from '@refresh/core';
import type { BudgetState } from './budget-state';
import type { ApiContext } from './context';
import { dependency } from './errors';
import { gateState, type GateState } from './gate-state';

/** The completion estimate as requests, POST answers and the budget show it. */
export interface EstimateFields {
  /** null: nothing left to wait for, or the tenant is paused (nothing can be promised) */
  estimated_completion_at: string | null;
  /** budget days the items ahead need, 1 = today; null when nothing is left to wait for */
  budget_days_needed: number | null;
}

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

/**
 * Reads what one request's estimate needs: its position in the tenant's queues with today's
 * budget (one script, so a claim between two reads cannot make them disagree), and the gate
 * unless the caller has it already.
 */
export async function estimateRequest(
  ctx: ApiContext,
  tenant: TenantConfig,
  requestId: string,
  now: number,
  known: { gate?: GateState } = {},
): Promise<EstimateFields> {
  const day = budgetDay(now, tenant.timezone);
  const [position, gate] = await Promise.all([
    dependency(ctx.store.position(requestId, day.dayId)),
    known.gate ?? gateState(ctx.gate, tenant.id, now),
  ]);
  if (position === null) return NO_ESTIMATE;
  const remaining = Math.max(0, tenant.dailyLimit - position.used);
  return estimateFields(ctx.config, tenant, position.itemsAhead, { remaining, dailyLimit: tenant.dailyLimit }, gate, now);
}
