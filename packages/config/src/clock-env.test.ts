import { loadConfig } from './index';

describe('the clock settings (CLOCK_OFFSET_MS, CLOCK_RATE, CLOCK_START_MS)', () => {
  it('when none is set, then the clock is the wall clock: no offset, rate 1, no anchor', () => {
    expect(loadConfig({}).env).toMatchObject({ CLOCK_OFFSET_MS: 0, CLOCK_RATE: 1 });
    expect(loadConfig({}).env.CLOCK_START_MS).toBeUndefined();
  });

  it('when a drill sets an accelerated clock, then rate and anchor are read as numbers', () => {
    const env = loadConfig({ CLOCK_RATE: '300', CLOCK_START_MS: '1767225600000', CLOCK_OFFSET_MS: '-5000' }).env;
    expect(env).toMatchObject({ CLOCK_RATE: 300, CLOCK_START_MS: 1_767_225_600_000, CLOCK_OFFSET_MS: -5000 });
    expect(loadConfig({ CLOCK_RATE: '0.5' }).env.CLOCK_RATE).toBe(0.5);
    expect(loadConfig({ CLOCK_RATE: '10000' }).env.CLOCK_RATE).toBe(10_000);
  });

  it('when the rate is not a positive number of at most 10,000, then CLOCK_RATE is named', () => {
    for (const bad of ['0', '-2', '10001', 'fast']) expect(() => loadConfig({ CLOCK_RATE: bad })).toThrow(/env: CLOCK_RATE/);
  });

  it('when the anchor is not an epoch ms, then CLOCK_START_MS is named', () => {
    for (const bad of ['0', '1.5', 'now']) expect(() => loadConfig({ CLOCK_START_MS: bad })).toThrow(/env: CLOCK_START_MS/);
  });
});
