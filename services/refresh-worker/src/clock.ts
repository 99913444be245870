/** The worker's notion of now. Injectable so budget-day changes can be tested without waiting. */
export interface Clock {
  now(): number;
}

/** Wall clock shifted by `offsetMs` (CLOCK_OFFSET_MS; 0 in production). */
export function systemClock(offsetMs = 0): Clock {
  return { now: () => Date.now() + offsetMs };
}
