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

/** Only IANA names ("Asia/Shanghai", "UTC"): luxon's "local"/"system" would make results depend on the host. */
export function isValidTimezone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

export function budgetDay(nowMs: number, timezone: string): BudgetDay {
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
