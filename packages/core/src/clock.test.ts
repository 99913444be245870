import { acceleratedClock, clockAt, realDuration } from './clock';

describe('the services clock', () => {
  const start = Date.UTC(2026, 0, 1, 0, 0, 0);

  it('when the rate is 1, then it is the wall clock plus the offset, wherever it is anchored', () => {
    expect(clockAt({ rate: 1, offsetMs: 0, startMs: start }, start + 1234)).toBe(start + 1234);
    expect(clockAt({ rate: 1, offsetMs: 86_400_000, startMs: 0 }, start)).toBe(start + 86_400_000);
  });

  it('when the rate is 300, then one wall second after the anchor is 300 clock seconds, offset added', () => {
    const spec = { rate: 300, offsetMs: 5_000, startMs: start };
    expect(clockAt(spec, start)).toBe(start + 5_000);
    expect(clockAt(spec, start + 1_000)).toBe(start + 300_000 + 5_000);
    // before the anchor it runs at the same rate, backwards
    expect(clockAt(spec, start - 10)).toBe(start - 3_000 + 5_000);
  });

  it('when two processes share the anchor but start apart, then they read the same time', () => {
    let wall = start + 40;
    const early = acceleratedClock({ rate: 300, offsetMs: 7, startMs: start }, () => wall);
    wall = start + 2_500;
    const late = acceleratedClock({ rate: 300, offsetMs: 7, startMs: start }, () => wall);
    wall = start + 9_000;
    expect(early.now()).toBe(late.now());
    expect(late.now()).toBe(start + 9_000 * 300 + 7);
  });

  it('when no anchor is given, then the clock is anchored at its creation', () => {
    let wall = 1_000_000;
    const clock = acceleratedClock({ rate: 10 }, () => wall);
    expect(clock.now()).toBe(1_000_000);
    wall += 50;
    expect(clock.now()).toBe(1_000_500);
  });

  it('when a reading falls between ms at a fractional rate, then it is a whole ms', () => {
    const c = acceleratedClock({ rate: 1.5, startMs: 0 }, () => 3);
    expect(c.now()).toBe(4);
  });

  it('when a clock span is turned into a wait, then it is divided by the rate and rounded up', () => {
    expect(realDuration(300, 300_000)).toBe(1_000);
    expect(realDuration(300, 1_000)).toBe(4); // 3.33 ms: never ends before the clock instant
    expect(realDuration(0.5, 1_000)).toBe(2_000);
  });

  it('when the rate is 1, then a wait is the clock span itself', () => {
    expect(realDuration(1, 1_234)).toBe(1_234);
    expect(realDuration(1, 0.5)).toBe(0.5);
    expect(acceleratedClock().realMs(86_400_000)).toBe(86_400_000);
  });

  it('when a span is due already, then its wait is unchanged (zero or negative)', () => {
    expect(realDuration(300, 0)).toBe(0);
    expect(realDuration(300, -600)).toBe(-600);
  });

  it('when the rate is outside (0, 10000], then no clock is made', () => {
    expect(() => acceleratedClock({ rate: 0 })).toThrow(RangeError);
    expect(() => acceleratedClock({ rate: 10_001 })).toThrow(RangeError);
    expect(() => acceleratedClock({ rate: Number.NaN })).toThrow(RangeError);
  });
});
