/**
 * The services' clock. In production it is the wall clock. For day-change tests and drills it
 * may be shifted (CLOCK_OFFSET_MS) and run faster (CLOCK_RATE): at rate 300 a budget day passes
 * in under 5 minutes. Every process of one run computes it with this one formula from the same
 * anchor (CLOCK_START_MS), so API, workers and simulator agree on "now" however far apart they
 * started.
 */

/** Largest CLOCK_RATE accepted: a budget day in under 9 s of wall time. */
export const MAX_CLOCK_RATE = 10_000;

export interface ClockSpec {
  /** ms added to the reading (CLOCK_OFFSET_MS) */
  offsetMs: number;
  /** clock ms per wall ms (CLOCK_RATE); 1 in production */
  rate: number;
  /** epoch ms, the wall instant the clock is anchored at: there it reads that instant + offsetMs (CLOCK_START_MS) */
  startMs: number;
}

/**
 * What the services read the time from. `realMs` turns a span of clock time into the wall time
 * it takes, for every wait the process hands to a timer or to BullMQ's delayed jobs.
 */
export interface Clock {
  /** epoch ms on the clock */
  now(): number;
  /** wall ms that `clockMs` of clock time take: clockMs / rate, rounded up; the identity at rate 1 */
  realMs(clockMs: number): number;
}

/**
 * The clock's reading at wall instant `wallMs`: startMs + (wallMs - startMs) * rate + offsetMs,
 * in whole ms (the reading goes into Redis scripts and records as an integer). At rate 1 it is
 * wallMs + offsetMs whatever the anchor.
 */
export function clockAt(spec: ClockSpec, wallMs: number): number {
  if (spec.rate === 1) return wallMs + spec.offsetMs;
  return Math.floor(spec.startMs + (wallMs - spec.startMs) * spec.rate + spec.offsetMs);
}

/**
 * Wall ms that `clockMs` of clock time take at `rate`. Rounded up, so a wait for a clock instant
 * never ends before it (a job woken early would only find it still ahead and wait again).
 * Zero and negative spans (due already) are returned as they are.
 */
export function realDuration(rate: number, clockMs: number): number {
  if (rate === 1 || clockMs <= 0) return clockMs;
  return Math.ceil(clockMs / rate);
}

/**
 * A clock on `wall` (Date.now unless a test gives one). Unset fields: no offset, rate 1, and the
 * anchor at this call, i.e. the process's start when main builds it.
 */
export function acceleratedClock(spec: Partial<ClockSpec> = {}, wall: () => number = Date.now): Clock {
  const full: ClockSpec = { offsetMs: spec.offsetMs ?? 0, rate: spec.rate ?? 1, startMs: spec.startMs ?? wall() };
  if (!(full.rate > 0 && full.rate <= MAX_CLOCK_RATE)) throw new RangeError(`clock rate must be in (0, ${MAX_CLOCK_RATE}], got ${full.rate}`);
  return {
    now: () => clockAt(full, wall()),
    realMs: (clockMs) => realDuration(full.rate, clockMs),
  };
}
