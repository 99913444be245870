import { acceleratedClock, type Clock, type ClockSpec } from '@refresh/core';

/**
 * The worker's notion of now (core's Clock): injectable, so budget-day changes can be tested
 * without waiting. Every wait the worker derives from clock time goes through `realMs`: BullMQ
 * delays (enqueued jobs, retries, waits for a reset, a pause or a throttle, result polls) and timers
 * (the call pace, the completion sweep). Waits that belong to the wall, not to the clock, stay
 * as they are: HTTP timeouts, BullMQ's job locks, webhook retries to a caller's server, the
 * hand-back of a tenant this replica does not know.
 */
export type { Clock };

/** The wall clock, shifted by CLOCK_OFFSET_MS and run CLOCK_RATE times as fast (0 and 1 in production). */
export function systemClock(spec: Partial<ClockSpec> = {}): Clock {
  return acceleratedClock(spec);
}
