// The day bench's figures, from what one run recorded: the simulator's accepted calls, the 202s
// and the completion webhooks. Plain functions of plain data, so a figure can be checked by hand.
import { percentile } from './latency.mjs';
import { callerOfUrl } from './day-traffic.mjs';

export const CALLERS = ['A', 'B', 'C'];

/**
 * Weighted max-min fair allocation of `capacity` units among callers with `demand` (water
 * filling): every caller gets capacity in proportion to its weight, those who need less keep
 * only their demand and the rest is shared again among the others.
 */
export function maxMinFair(capacity, demand, weight) {
  const alloc = Object.fromEntries(Object.keys(demand).map((k) => [k, 0]));
  let active = Object.keys(demand).filter((k) => demand[k] > 0);
  let left = capacity;
  while (active.length > 0 && left > 1e-9) {
    const totalWeight = active.reduce((s, k) => s + weight[k], 0);
    const share = (k) => (left * weight[k]) / totalWeight;
    const sated = active.filter((k) => demand[k] - alloc[k] <= share(k));
    if (sated.length === 0) {
      for (const k of active) alloc[k] += share(k);
      break;
    }
    for (const k of sated) {
      left -= demand[k] - alloc[k];
      alloc[k] = demand[k];
    }
    active = active.filter((k) => !sated.includes(k));
  }
  return alloc;
}

/** Jain's fairness index of `xs`: 1 when all are equal, 1/n when one has everything. */
export function jain(xs) {
  const sum = xs.reduce((s, x) => s + x, 0);
  const squares = xs.reduce((s, x) => s + x * x, 0);
  return squares === 0 ? NaN : (sum * sum) / (xs.length * squares);
}

/** url → instants (clock ms) of the accepted calls that carried it, in order. */
function sendsByUrl(calls) {
  const sends = new Map();
  for (const call of [...calls].sort((a, b) => a.acceptedAt - b.acceptedAt)) {
    for (const url of call.items) {
      const list = sends.get(url) ?? [];
      list.push(call.acceptedAt);
      sends.set(url, list);
    }
  }
  return sends;
}

/**
 * Every figure of one run.
 * - `calls`: the simulator's accepted calls (GET /_sim/calls);
 * - `posts`: what the bench sent, each with `urls` (or the upload's count and `uploadUrls`), its
 *   202 instant `answeredAt` and body `accepted`;
 * - `completedAt`: request id → the instant the completion webhook reported;
 * - `day`: the budget day's id; `eighteen`: 18:00 on it; `endedAt`: the clock when the run stopped.
 */
export function runFigures({ calls, posts, completedAt, day, dailyLimit, weights, eighteen, endedAt, quotaRefusals, serviceCounter }) {
  const onDay = calls.filter((c) => c.day === day);
  const sends = sendsByUrl(calls);
  const daySends = sendsByUrl(onDay);

  const units = Object.fromEntries(CALLERS.map((k) => [k, 0]));
  for (const call of onDay) for (const url of call.items) units[callerOfUrl(url)] += 1;
  const spent = onDay.reduce((s, c) => s + c.items.length, 0);

  // demand: the distinct items each caller asked for during the day
  const asked = Object.fromEntries(CALLERS.map((k) => [k, new Set()]));
  for (const p of posts) for (const url of p.urls ?? []) asked[p.caller].add(url);
  const demand = Object.fromEntries(CALLERS.map((k) => [k, asked[k].size + (posts.find((p) => p.caller === k && p.upload)?.upload.count ?? 0)]));
  const fair = maxMinFair(dailyLimit, demand, weights);
  const withBacklog = CALLERS.filter((k) => demand[k] > 0);
  const fairness = jain(withBacklog.map((k) => units[k] / fair[k]));

  // high items: from the 202 to the first call that carried them
  const highWaits = [];
  for (const p of posts.filter((x) => x.priority === 'high')) {
    for (const url of p.urls) {
      const first = sends.get(url)?.[0];
      highWaits.push({ label: p.label, wait: first === undefined ? null : first - p.answeredAt, lowerBound: first === undefined ? endedAt - p.answeredAt : null });
    }
  }

  // repeats: an item sent again on the day
  let repeatSends = 0;
  for (const list of daySends.values()) repeatSends += list.length - 1;

  // scheduled items (not_before 18:00)
  const scheduled = posts.filter((p) => p.notBefore).flatMap((p) => p.urls);
  const firstSends = scheduled.map((u) => sends.get(u)?.[0]);
  const early = firstSends.filter((t) => t !== undefined && t < eighteen).length;
  const lateness = firstSends.filter((t) => t !== undefined && t >= eighteen).map((t) => t - eighteen);
  const scheduledUnsent = firstSends.filter((t) => t === undefined).length;

  // estimates: the 202's estimated_completion_at against the completion the webhook reported,
  // overall and split by whether the 202 expected today's budget to do (budget_days_needed 1)
  const errors = [];
  const lateBy = [];
  const byDays = { today: [], later: [] };
  let open = 0;
  let openPastEstimate = 0;
  for (const p of posts) {
    const estimate = p.accepted?.estimated_completion_at;
    if (!estimate) continue;
    const done = completedAt.get(p.accepted.request_id);
    if (done === undefined) {
      open++;
      if (Date.parse(estimate) < endedAt) openPastEstimate++;
      continue;
    }
    errors.push(Math.abs(done - Date.parse(estimate)));
    lateBy.push(done - Date.parse(estimate));
    byDays[p.accepted.budget_days_needed > 1 ? 'later' : 'today'].push(Math.abs(done - Date.parse(estimate)));
  }

  return {
    spent, dailyLimit, quotaRefusals, serviceCounter, units, demand, fair, weights, fairness, withBacklog,
    highWaits, repeatSends, scheduled: scheduled.length, early, lateness, scheduledUnsent,
    estimate: { count: errors.length, median: percentile(errors, 50), p90: percentile(errors, 90), lateMedian: percentile(lateBy, 50), open, openPastEstimate,
      today: { count: byDays.today.length, median: percentile(byDays.today, 50), p90: percentile(byDays.today, 90) },
      later: { count: byDays.later.length, median: percentile(byDays.later, 50), p90: percentile(byDays.later, 90) },
    },
    calls: onDay.length, requests: posts.length, completed: completedAt.size,
  };
}
