import { badRequest } from '../http/errors';

/** The furthest ahead a refresh can be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 86_400_000;

/**
 * A request's `not_before` (already an RFC 3339 date-time with an offset, checked by the
 * contract) as epoch ms, or undefined when not given. One in the past, or more than 30 days
 * ahead, is a 400 naming the field: the first is almost always a caller's clock or time-zone
 * mistake, the second a typo, and either would silently do something other than asked.
 */
export function notBeforeOf(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  if (at < now) throw badRequest('not_before is in the past', [{ field: 'not_before', reason: `${value} is before now (${new Date(now).toISOString()})` }]);
  if (at - now > MAX_SCHEDULE_AHEAD_MS) {
    throw badRequest('not_before is more than 30 days ahead', [{ field: 'not_before', reason: `${value} is more than 30 days after now (${new Date(now).toISOString()})` }]);
  }
  return at;
}
