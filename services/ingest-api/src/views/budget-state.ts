import type { TenantConfig } from '@refresh/config';
import { budgetDay } from '@refresh/core';
import type { RequestStore } from '@refresh/store';
import { dependency } from '../http/errors';

export interface BudgetState {
  dailyLimit: number;
  used: number;
  remaining: number;
  /** items pending for the tenant now, all requests together */
  pending: number;
  resetsAt: number;
  /** nothing more goes out before resetsAt: pending items are deferred */
  spent: boolean;
  /** units of `used` charged to each caller ('' for requests of no caller) */
  charges: Record<string, number>;
  /** scheduled requests not due yet: how many, their lines (the next 1,000 requests), the next due */
  scheduled: { requests: number; items: number; nextAt: number | null };
}

/** The tenant's budget on the budget day that contains `now`, in the tenant's time zone. */
export async function budgetState(store: RequestStore, tenant: TenantConfig, now: number): Promise<BudgetState> {
  const day = budgetDay(now, tenant.timezone);
  const { used, pending, charges, scheduled } = await dependency(store.budget(tenant.id, day.dayId));
  const remaining = Math.max(0, tenant.dailyLimit - used);
  return { dailyLimit: tenant.dailyLimit, used, remaining, pending, resetsAt: day.resetsAt, spent: remaining === 0, charges, scheduled };
}
