import { budgetDayStart } from './budget-day';
import { MAX_ITEMS_PER_CALL } from './items';

/**
 * When will a piece of a tenant's backlog have gone out and got VOD's verdict? The service
 * sends a tenant's pending items in claim order (priority, then age), at most `dailyLimit` a
 * budget day and at most `callsPerSecond` calls of `maxItemsPerCall` items, so the answer
 * follows from how many items go out before (and with) the ones asked about.
 *
 * It is an estimate, not a promise: items of higher priority submitted later go first and push
 * it back; a pause, throttling, retries and VOD's own pace can too.
 */
export type EtaInput = {
  now: number;
  /** items that go out before the last of ours, ours included */
  itemsAhead: number;
  /** budget left on the current budget day */
  remainingToday: number;
  dailyLimit: number;
  /** the tenant's time zone: budget days start at its local midnights */
  timezone: string;
  /** the tenant's pace (maxCallsPerSecond) */
  callsPerSecond: number;
  /** batching.maxItems */
  maxItemsPerCall: number;
  /** batching.lingerMs: a last batch that is not full waits this long */
  lingerMs: number;
  /** from VOD's 202 to its verdict, as the worker polls (pollInitialDelayMs) */
  verdictDelayMs: number;
  /** no call goes out before this (VOD throttles the tenant); absent or ≤ now when not throttled */
  notBefore?: number;
};

export type Eta = {
  /** epoch ms the last of the items has its verdict */
  estimatedCompletionAt: number;
  /** budget days the items need: 1 = they fit in what is left today */
  budgetDays: number;
};

/**
 * A day's budget that takes longer than this to send at the tenant's pace makes the pace, not
 * the budget, the limit. Below it, a day's sending always ends before the next (shortest: 23 h)
 * day starts, which is what keeps the estimate monotone across budget days.
 */
const PACE_BOUND_DAY_MS = 22 * 3_600_000;

export function estimateCompletion(input: EtaInput): Eta {
  const ahead = Math.max(0, Math.floor(input.itemsAhead));
  const remaining = Math.max(0, Math.floor(input.remainingToday));
  const limit = Math.max(1, Math.floor(input.dailyLimit));
  const perCall = Math.min(MAX_ITEMS_PER_CALL, Math.max(1, Math.floor(input.maxItemsPerCall)));
  const callMs = 1000 / input.callsPerSecond;
  const sendMs = (items: number) => Math.ceil(items / perCall) * callMs;
  const verdictAt = (sent: number) => sent + Math.max(0, input.lingerMs) + Math.max(0, input.verdictDelayMs);

  const budgetDays = ahead <= remaining ? 1 : 1 + Math.ceil((ahead - remaining) / limit);
  // Only items already on the wire or waiting for a verdict: nothing left to send.
  if (ahead === 0) return { estimatedCompletionAt: input.now + Math.max(0, input.verdictDelayMs), budgetDays };

  const start = Math.max(input.now, input.notBefore ?? input.now);
  // the pace alone: every item ahead, one call after another from now on
  const paceBound = start + sendMs(ahead);
  if (budgetDays === 1) return { estimatedCompletionAt: verdictAt(paceBound), budgetDays };

  // The budget: full days in between, then what is left over on the last day, sent from its
  // local midnight (budgetDayStart handles DST and skipped midnights).
  const lastDayStart = budgetDayStart(input.now, input.timezone, budgetDays - 1);
  const onLastDay = ahead - remaining - (budgetDays - 2) * limit;
  // Pace-bound, the pace decides, but the last item still needs a call after its day starts.
  const budgetBound = lastDayStart + (sendMs(limit) <= PACE_BOUND_DAY_MS ? sendMs(onLastDay) : sendMs(1));
  return { estimatedCompletionAt: verdictAt(Math.max(paceBound, budgetBound)), budgetDays };
}

