import type { Priority } from './items';

/**
 * The urgent reserve: the last `units` of each budget day that only high-priority items may
 * spend, until `releaseAt` (some minutes before the reset), when every priority may. The worker
 * enforces it in claim-batch.lua; this is the same rule for the estimates and the budget view.
 */
export interface ReserveRule {
  units: number;
  /** epoch ms the reserve is released on the current budget day */
  releaseAt: number;
}

/** Units of `remaining` that items of `priority` may not spend at `now`. */
export function reserveHeldBack(rule: ReserveRule, remaining: number, priority: Priority, now: number): number {
  if (priority === 'high' || now >= rule.releaseAt) return 0;
  return Math.max(0, Math.min(rule.units, remaining));
}

/** Today's budget that items of `priority` may spend at `now`. */
export function spendableToday(rule: ReserveRule, remaining: number, priority: Priority, now: number): number {
  return Math.max(0, remaining - reserveHeldBack(rule, remaining, priority, now));
}

/** The rule on the budget day that resets at `resetsAt`, from a tenant's `reserve` setting. */
export function reserveRule(setting: { high: number; releaseMinutesBeforeReset: number }, resetsAt: number): ReserveRule {
  return { units: setting.high, releaseAt: resetsAt - setting.releaseMinutesBeforeReset * 60_000 };
}
