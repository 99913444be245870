import { reserveHeldBack, spendableToday } from './reserve';

describe('the urgent reserve', () => {
  const rule = { units: 50, releaseAt: 1_000 };

  it('when a normal or low item looks before the release, then the reserve is held back from it', () => {
    expect(spendableToday(rule, 400, 'normal', 999)).toBe(350);
    expect(spendableToday(rule, 400, 'low', 0)).toBe(350);
  });

  it('when only part of the reserve is left, then only that part is held back', () => {
    expect(reserveHeldBack(rule, 30, 'low', 0)).toBe(30);
    expect(spendableToday(rule, 30, 'low', 0)).toBe(0);
  });

  it('when a high item looks, then it may spend everything', () => {
    expect(spendableToday(rule, 40, 'high', 0)).toBe(40);
  });

  it('when the reserve has been released, then every priority may spend it', () => {
    expect(spendableToday(rule, 40, 'low', 1_000)).toBe(40);
  });
});
