/**
 * Delay before retry number `attempt` (1-based), exponential with "equal jitter": half of the
 * capped exponential step is fixed and half is random. Full jitter (0..step) spreads retries a
 * little better, but it can fire a retry almost at once, which just hits a throttled upstream
 * again; equal jitter keeps a floor of step/2 (>= baseMs/2) while still de-synchronising
 * workers that failed together.
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/)
 *
 * Returns whole milliseconds in [ceil(step/2), step], step = min(maxMs, baseMs * 2^(attempt-1)).
 */
export type BackoffOptions = { baseMs: number; maxMs: number };

export function backoffDelay(
  attempt: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  const { baseMs, maxMs } = opts;
  if (!Number.isInteger(baseMs) || baseMs < 1) throw new RangeError(`baseMs must be an integer >= 1, got ${baseMs}`);
  if (!Number.isInteger(maxMs) || maxMs < baseMs) throw new RangeError(`maxMs must be an integer >= baseMs, got ${maxMs}`);

  // 2 ** large is Infinity, which min() turns into maxMs: no overflow for long retry chains.
  const step = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  const fixed = Math.ceil(step / 2);
  // Clamp so a misbehaving random source cannot push the delay outside its bounds.
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.min(step, fixed + Math.floor(r * (step - fixed + 1)));
}
