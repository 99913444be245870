/**
 * Retry-After as milliseconds from `nowMs`: either delta-seconds or an HTTP date (RFC 9110 10.2.3).
 * A date in the past means "now" (0); anything unreadable is undefined, so the caller's own
 * backoff applies instead of a guess.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse also accepts loose forms; require an HTTP-date shape (weekday, day, month, year, GMT).
  if (!/^[A-Za-z]{3},\s+\d{1,2}[\s-][A-Za-z]{3}[\s-]\d{2,4}\s+\d{2}:\d{2}:\d{2}\s+GMT$/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
