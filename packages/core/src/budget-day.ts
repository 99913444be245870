import { DateTime, IANAZone } from 'luxon';
import { AppError, ERROR_CODES } from './errors';

/**
 * Each tenant's daily budget resets at local midnight in the tenant's time zone, as Huawei's
 * quota does for the account's region. Days are 23 or 25 hours long on DST changes, and in a
 * few zones midnight itself is skipped, so the day is computed in local calendar terms by
 * luxon, never as "start + 24h".
 */
export type BudgetDay = {
  /** Local calendar date, YYYY-MM-DD; the budget counter's key. */
  dayId: string;
  /** Epoch ms of the first instant of the local day. */
  startsAt: number;
  /** Epoch ms of the next local midnight, when the budget resets. */
  resetsAt: number;
};

/**
 * Zones found valid so far. luxon's isValidZone builds an Intl.DateTimeFormat on every call,
 * which was a quarter of the API's CPU under load (bench:load profile); the set is bounded by
 * the IANA list, and unknown names are not kept.
 */
const validZones = new Set<string>();

/** Only IANA names ("Asia/Shanghai", "UTC"): luxon's "local"/"system" would make results depend on the host. */
export function isValidTimezone(tz: string): boolean {
  if (validZones.has(tz)) return true;
  const ok = IANAZone.isValidZone(tz);
  if (ok) validZones.add(tz);
  return ok;
}

/**
 * The day last computed per zone. Days are contiguous intervals [startsAt, resetsAt), so every
 * instant inside one has the same answer, and the hot paths (each request's status and
 * estimate) skip luxon's offset arithmetic. One entry per valid zone.
 */
const lastDay = new Map<string, BudgetDay>();

export function budgetDay(nowMs: number, timezone: string): BudgetDay {
  const last = lastDay.get(timezone);
  if (last && nowMs >= last.startsAt && nowMs < last.resetsAt) return { ...last };
  const day = computeBudgetDay(nowMs, timezone);
  lastDay.set(timezone, day);
  return { ...day };
}

/** budgetDay() without the memo; exported for the test that holds the two equal. */
export function computeBudgetDay(nowMs: number, timezone: string): BudgetDay {
  if (!isValidTimezone(timezone)) {
    throw new AppError(ERROR_CODES.CONFIG_INVALID, `unknown time zone: ${timezone}`);
  }
  const start = DateTime.fromMillis(nowMs, { zone: timezone }).startOf('day');
  // NaN or a time beyond the representable range: a caller bug, not a budget question.
  if (!start.isValid) throw new RangeError(`not a usable time: ${nowMs}`);
  // startOf again: if today's midnight was skipped, start is 01:00 and +1 day would be 01:00 too.
  const next = start.plus({ days: 1 }).startOf('day');
  return { dayId: start.toFormat('yyyy-MM-dd'), startsAt: start.toMillis(), resetsAt: next.toMillis() };
}

/**
 * Epoch ms the budget day `daysAhead` days after the one containing `nowMs` starts (0 = today's
 * start). Counted in local calendar days, so DST days of 23 or 25 hours and skipped midnights
 * land on the same instants budgetDay() gives for those days.
 */
export function budgetDayStart(nowMs: number, timezone: string, daysAhead: number): number {
  const today = budgetDay(nowMs, timezone);
  if (daysAhead <= 0) return today.startsAt;
  const start = DateTime.fromMillis(today.startsAt, { zone: timezone }).plus({ days: daysAhead }).startOf('day');
  return start.toMillis();
}
