import { createHash } from 'node:crypto';
import { startSimulator, testConfig, testWorld, type Simulator } from './harness';

export const STACK_KEY = 'client-test-key';
export const OTHER_KEY = 'client-test-other-key';

export interface ServiceStack {
  /** the API's base URL */
  url: string;
  sim: Simulator;
  close(): Promise<void>;
}

/**
 * The whole service as a caller meets it, for the client and CLI tests: the API on a port of its
 * own, one worker, and the simulator, with fast result polling so requests reach VOD's verdict
 * within a test. The key STACK_KEY may use `news` (5,000 items a day, 200 calls a second) and `scarce` (1 a day,
 * so its requests stay deferred); OTHER_KEY may only use `other`.
 */
export async function startServiceStack(): Promise<ServiceStack> {
  const { sim, url: simUrl } = await startSimulator({
    taskDurationMs: 200,
    dailyLimit: 100_000,
    faults: { latencyMs: 0, errorRate5xx: 0, rate429: 0, hangRate: 0 },
  });
  const world = testWorld('client');
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const config = testConfig(
    world.prefix,
    [
      { id: 'news', endpoint: simUrl, dailyLimit: 5000, maxCallsPerSecond: 200 },
      { id: 'scarce', endpoint: simUrl, dailyLimit: 1 },
      { id: 'other', endpoint: simUrl },
    ],
    {
      callers: [
        { id: 'cms', apiKeySha256: sha(STACK_KEY), tenants: ['news', 'scarce'] },
        { id: 'other', apiKeySha256: sha(OTHER_KEY), tenants: ['other'] },
      ],
      upstream: {
        timeoutMs: 2000, connectTimeoutMs: 500, maxAttempts: 3, backoffBaseMs: 50, backoffMaxMs: 200,
        pollInitialDelayMs: 100, pollMaxDelayMs: 400,
      },
      batching: { lingerMs: 50 },
    },
  );
  const url = await world.api(config);
  await world.worker(config);
  return {
    url,
    sim,
    async close() {
      await world.close();
      await sim.stop();
    },
  };
}
