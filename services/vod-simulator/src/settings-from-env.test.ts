import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsFromEnv } from './settings-from-env';

describe('settingsFromEnv', () => {
  it('when nothing is set, then one demo project listens on 127.0.0.1:9000', () => {
    expect(settingsFromEnv({})).toEqual({
      port: 9000,
      host: '127.0.0.1',
      logLevel: 'info',
      clockOffsetMs: 0,
      clockRate: 1,
      config: {
        projects: [
          { projectId: '0123456789abcdef0123456789abcdef', accessKey: 'DEMOACCESSKEY0000000', secretKey: 'demo-secret-key-not-for-production' },
        ],
      },
    });
  });

  it('when SIM_CONFIG names a file, then it is used, SIM_FAULTS overrides its faults and the clock offset is read', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vod-sim-')), 'sim.json');
    writeFileSync(file, JSON.stringify({ projects: [{ projectId: 'p', accessKey: 'a', secretKey: 's' }], dailyLimit: 5, faults: { latencyMs: 10 } }));
    const settings = settingsFromEnv({ SIM_CONFIG: file, SIM_FAULTS: '{"rate429":0.5}', SIM_CLOCK_OFFSET_MS: '86400000', SIM_PORT: '0' });

    expect(settings).toMatchObject({ port: 0, clockOffsetMs: 86_400_000, config: { dailyLimit: 5, faults: { latencyMs: 10, rate429: 0.5 } } });
  });

  it('when a run accelerates the clock, then the simulator takes the rate and the anchor the services take', () => {
    expect(settingsFromEnv({ SIM_CLOCK_RATE: '300', SIM_CLOCK_START_MS: '1767225600000' })).toMatchObject({ clockRate: 300, clockStartMs: 1_767_225_600_000 });
  });

  it('when a value is invalid, then start-up fails loudly', () => {
    expect(() => settingsFromEnv({ SIM_PORT: 'http' })).toThrow();
    expect(() => settingsFromEnv({ SIM_FAULTS: '{"rate429":2}' })).toThrow();
    expect(() => settingsFromEnv({ SIM_CLOCK_RATE: '0' })).toThrow();
    expect(() => settingsFromEnv({ SIM_CLOCK_RATE: '20000' })).toThrow();
  });
});
