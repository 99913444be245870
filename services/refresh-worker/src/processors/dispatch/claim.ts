import { budgetDay, nextReleaseStep, reserveHeld, reserveRule, type BudgetDay, type ReserveRule } from '@refresh/core';
import type { BudgetContext, ClaimResult } from '@refresh/store';
import { BUDGET_TTL_SECONDS, type Run } from './context';
import { gateWait, type GateState } from './gate';
import { handBack, waitForReset } from './park';

/** Longest sleep before a job the pace held back asks for its slot again. */
const PACE_POLL_MAX_MS = 1_000;

/** What the claim decided, with the budget day it was made on. */
export interface Claimed {
  claim: Exclude<ClaimResult, { action: 'pace' }>;
  now: number;
  day: BudgetDay;
  budget: BudgetContext;
  /** this job is the one probe of a paused tenant */
  probing: boolean;
}

/**
 * Claims at send time: the claim takes the call slot its batch leaves in, so while the pace
 * holds calls back this job holds nothing (the items stay pending, where a higher-priority
 * item can overtake them and a cancel can reach them) and asks again when the slot is due.
 * Before each claim the midnight guard and the tenant's gate may end the run waiting.
 */
export async function claimWhenDue(run: Run): Promise<Claimed> {
  const { ctx, tenant, trace } = run;
  let gate: GateState = { waitUntil: null, probing: false };
  for (;;) {
    const now = ctx.clock.now();
    const day = budgetDay(now, tenant.timezone);
    const budget: BudgetContext = { dayId: day.dayId, dailyLimit: tenant.dailyLimit, ttlSeconds: BUDGET_TTL_SECONDS };
    // A call that starts just before midnight may land on VOD's next day while we counted it on
    // this one; then VOD would count more than we do tomorrow. Such calls wait for the reset,
    // with the batch this job may already hold (a retry or a rerun).
    if (day.resetsAt - now < ctx.midnightGuardMs) return waitForReset(run, day.resetsAt, now);

    // A paused or throttled tenant's job waits in place (it may already hold a batch), except
    // the one job per cool-down that probes whether VOD accepts the tenant again (a probe
    // keeps its turn while it waits for the pace).
    if (!gate.probing) gate = await gateWait(ctx, tenant.id, now);
    if (gate.waitUntil !== null) {
      trace.waits(gate.reason ?? 'throttle', gate.waitUntil);
      return handBack(run, ctx.clock.realMs(gate.waitUntil - now));
    }

    const claim = await ctx.store.claim(tenant.id, run.batchId, {
      now, ...ctx.config.batching, ...budget, callsPerSecond: tenant.maxCallsPerSecond, reserve: reserveNow(reserveRule(tenant.reserve, day.resetsAt), now),
      weights: ctx.weights.get(tenant.id), minRefreshIntervalMs: tenant.minRefreshIntervalMs,
    });
    if (claim.action !== 'pace') return { claim, now, day, budget, probing: gate.probing };
    // it holds nothing while it waits for the pace: when stopping, hand it back at once, for another replica
    if (ctx.stopping?.()) return handBack(run, 0);
    const slotIn = Math.min(Math.max(claim.until - now, 1), PACE_POLL_MAX_MS);
    trace.paced(ctx.clock.realMs(slotIn));
    await new Promise((r) => setTimeout(r, ctx.clock.realMs(slotIn)));
  }
}

/** What claim-batch.lua holds back now: the reserve's held part, until the instant it next shrinks. */
function reserveNow(rule: ReserveRule, now: number): { units: number; releaseAt: number } {
  return { units: reserveHeld(rule, now), releaseAt: nextReleaseStep(rule, now) };
}
