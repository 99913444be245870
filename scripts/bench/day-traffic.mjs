// The day bench's traffic: one budget day of tenant `news` from three callers, as data, the same
// in both runs (a seeded PRNG). Times are clock instants (epoch ms) on the budget day that
// starts at `dayStart` (a luxon DateTime at local 00:00). Every URL names its caller in its path
// (…/a/…, …/b/…, …/c/…, and …/s/… for B's scheduled items), so the simulator's record of calls
// says whose units each call spent.
import { benchUrl } from './url-body.mjs';

export const A_UPLOAD_ITEMS = 50_000;
const B_EVERY_MINUTES = 7;
const B_ITEMS_PER_REQUEST = 3;
const B_REPEAT_SHARE = 0.3;
const SCHEDULED_ITEMS = 50;

/** mulberry32: a small seeded PRNG, so both runs (and runs on other machines) send the same. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The caller an item's URL belongs to (B for its scheduled items), from its path. */
export function callerOfUrl(url) {
  const m = /\/(a|b|c|s)\/\d/.exec(url);
  if (!m) return null;
  return m[1] === 's' ? 'B' : m[1].toUpperCase();
}

/**
 * The day's requests, sorted by time:
 * - A: at 02:00, a 50,000-line text/plain upload at low priority (a back catalogue);
 * - B: from 00:03 every 7 minutes until 23:50, 3 new normal items; 30% of the items are asked
 *   again alone 2–8 minutes after their first request; at 09:00 (when `withScheduled`) 50 items
 *   with not_before 18:00;
 * - C: 20 high items at 14:00 and 5 at 23:30.
 */
export function dayTraffic({ dayStart, tag, seed = 20261206, withScheduled }) {
  const at = (h, m, s = 0) => dayStart.set({ hour: h, minute: m, second: s }).toMillis();
  const url = (who, n) => benchUrl(`${tag}/${who}`, n);
  const random = prng(seed);
  const events = [];
  events.push({ at: at(2, 0), caller: 'A', label: 'A back catalogue', priority: 'low', upload: { run: `${tag}/a`, count: A_UPLOAD_ITEMS } });

  let b = 0;
  for (let t = at(0, 3); t <= at(23, 50); t += B_EVERY_MINUTES * 60_000) {
    const urls = Array.from({ length: B_ITEMS_PER_REQUEST }, () => url('b', b++));
    events.push({ at: t, caller: 'B', label: 'B', priority: 'normal', urls });
    for (const u of urls) {
      if (random() >= B_REPEAT_SHARE) continue;
      const later = Math.round((2 + 6 * random()) * 60_000);
      events.push({ at: t + later, caller: 'B', label: 'B again', priority: 'normal', urls: [u], repeat: true });
    }
  }
  if (withScheduled) {
    const urls = Array.from({ length: SCHEDULED_ITEMS }, (_, i) => url('s', i));
    events.push({ at: at(9, 0), caller: 'B', label: 'B scheduled', priority: 'normal', urls, notBefore: dayStart.set({ hour: 18 }) });
  }
  events.push({ at: at(14, 0), caller: 'C', label: 'C 14:00', priority: 'high', urls: Array.from({ length: 20 }, (_, i) => url('c', i)) });
  events.push({ at: at(23, 30), caller: 'C', label: 'C 23:30', priority: 'high', urls: Array.from({ length: 5 }, (_, i) => url('c', 20 + i)) });
  return events.sort((x, y) => x.at - y.at);
}
