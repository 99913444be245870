import fc from 'fast-check';
import { backoffDelay } from './backoff';

const opts = { baseMs: 1000, maxMs: 60_000 };

describe('backoffDelay', () => {
  it('when random is 0, then the delay is half the exponential step (never instant)', () => {
    expect(backoffDelay(1, opts, () => 0)).toBe(500);
    expect(backoffDelay(2, opts, () => 0)).toBe(1000);
    expect(backoffDelay(3, opts, () => 0)).toBe(2000);
  });

  it('when random is just below 1, then the delay is the full exponential step', () => {
    const almostOne = () => 0.999999;
    expect(backoffDelay(1, opts, almostOne)).toBe(1000);
    expect(backoffDelay(4, opts, almostOne)).toBe(8000);
  });

  it('when the step would exceed maxMs, then it is capped, even for huge attempt numbers', () => {
    expect(backoffDelay(7, opts, () => 0.999999)).toBe(60_000);
    expect(backoffDelay(10_000, opts, () => 0)).toBe(30_000);
    expect(backoffDelay(10_000, opts, () => 0.999999)).toBe(60_000);
  });

  it('when random misbehaves (outside [0, 1)), then the delay stays within bounds', () => {
    expect(backoffDelay(1, opts, () => -5)).toBe(500);
    expect(backoffDelay(1, opts, () => 7)).toBe(1000);
  });

  it('for any attempt and settings, the delay is a whole number within [ceil(step/2), step]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, extra, r) => {
          const maxMs = baseMs + extra;
          const step = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
          const delay = backoffDelay(attempt, { baseMs, maxMs }, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.ceil(step / 2));
          expect(delay).toBeGreaterThanOrEqual(baseMs / 2);
          expect(delay).toBeLessThanOrEqual(step);
        },
      ),
    );
  });

  it('when arguments are nonsense, then it throws instead of returning a bad delay', () => {
    expect(() => backoffDelay(0, opts)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, opts)).toThrow(RangeError);
    expect(() => backoffDelay(1, { baseMs: 0, maxMs: 10 })).toThrow(RangeError);
    expect(() => backoffDelay(1, { baseMs: 100, maxMs: 50 })).toThrow(RangeError);
  });
});
