import type { Priority } from './items';

/**
 * The urgent reserve: the last `units` of each budget day that only high-priority items may
 * spend. From `releaseAt` (some minutes before the reset) it is released to every priority, one
 * unit at a time, in step with the time left: at any instant of the release window the part
 * still held is the reserve times the share of the window left, rounded down. So a day with a
 * backlog still ends spent (the last unit is released a window ÷ units before the reset, well
 * clear of the calls' midnight guard), yet a high item that arrives late in the window still
 * finds its share held for it, instead of a backlog having taken the whole reserve the moment
 * the window opened. The worker enforces it in
 * claim-batch.lua with the amount this computes; estimates and the budget view use it too.
 */
export interface ReserveRule {
  units: number;
  /** epoch ms the release starts on the current budget day */
  releaseAt: number;
  /** epoch ms the budget day ends */
  resetsAt: number;
}

/** Units of the reserve still held at `now` (all before the release, none from the reset). */
export function reserveHeld(rule: ReserveRule, now: number): number {
  if (rule.units <= 0 || now >= rule.resetsAt) return 0;
  if (now <= rule.releaseAt) return rule.units;
  return Math.floor((rule.units * (rule.resetsAt - now)) / (rule.resetsAt - rule.releaseAt));
}

/** The first instant at which at most `target` units are held (-Infinity when that is always so). */
export function heldAtMostAt(rule: ReserveRule, target: number): number {
  if (target >= rule.units) return Number.NEGATIVE_INFINITY;
  // floor(units × (resetsAt − t) / window) ≤ target  ⟺  t > resetsAt − (target + 1) × window / units
  const window = rule.resetsAt - rule.releaseAt;
  return Math.floor(rule.resetsAt - ((Math.max(0, target) + 1) * window) / rule.units) + 1;
}

/** The next instant the held part shrinks by a unit (`now` itself when nothing is held). */
export function nextReleaseStep(rule: ReserveRule, now: number): number {
  const held = reserveHeld(rule, now);
  if (held <= 0) return now;
  return Math.max(now + 1, heldAtMostAt(rule, held - 1));
}

/** Units of `remaining` that items of `priority` may not spend at `now`. */
export function reserveHeldBack(rule: ReserveRule, remaining: number, priority: Priority, now: number): number {
  if (priority === 'high') return 0;
  return Math.max(0, Math.min(reserveHeld(rule, now), remaining));
}

/** Today's budget that items of `priority` may spend at `now`. */
export function spendableToday(rule: ReserveRule, remaining: number, priority: Priority, now: number): number {
  return Math.max(0, remaining - reserveHeldBack(rule, remaining, priority, now));
}

/** The rule on the budget day that resets at `resetsAt`, from a tenant's `reserve` setting. */
export function reserveRule(setting: { high: number; releaseMinutesBeforeReset: number }, resetsAt: number): ReserveRule {
  return { units: setting.high, releaseAt: resetsAt - setting.releaseMinutesBeforeReset * 60_000, resetsAt };
}
