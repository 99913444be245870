import fc from 'fast-check';
import { nextReleaseStep, reserveHeld, reserveHeldBack, spendableToday } from './reserve';

describe('the urgent reserve', () => {
  // 50 units released over the last hour before the reset at t = 3,600,000
  const rule = { units: 50, releaseAt: 0, resetsAt: 3_600_000 };

  it('when a normal or low item looks before the release, then the whole reserve is held back from it', () => {
    expect(spendableToday(rule, 400, 'normal', -1)).toBe(350);
    expect(spendableToday(rule, 400, 'low', -1_000_000)).toBe(350);
  });

  it('when only part of the reserve is left, then only that part is held back', () => {
    expect(reserveHeldBack(rule, 30, 'low', -1)).toBe(30);
    expect(spendableToday(rule, 30, 'low', -1)).toBe(0);
  });

  it('when a high item looks, then it may spend everything', () => {
    expect(spendableToday(rule, 40, 'high', -1)).toBe(40);
  });

  it('when the release window runs, then the held part shrinks with the time left: half at its middle, the last unit a window ÷ units before the reset', () => {
    expect(reserveHeld(rule, 0)).toBe(50);
    expect(reserveHeld(rule, 1_800_000)).toBe(25);
    expect(reserveHeld(rule, 3_600_000 - 72_000)).toBe(1);
    expect(reserveHeld(rule, 3_600_000 - 71_999)).toBe(0);
    expect(reserveHeld(rule, 3_600_000)).toBe(0);
  });

  it('whatever the instant, the next release step is later and holds exactly one unit less', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: -10_000, max: 3_599_999 }), (units, now) => {
        const r = { ...rule, units };
        fc.pre(reserveHeld(r, now) > 0);
        const next = nextReleaseStep(r, now);
        expect(next).toBeGreaterThan(now);
        expect(reserveHeld(r, next)).toBe(reserveHeld(r, now) - 1);
        expect(reserveHeld(r, next - 1)).toBe(reserveHeld(r, now));
      }),
    );
  });
});
