import { createHash } from 'node:crypto';
import { scanKeysUnder } from '@refresh/store';
import { startSimulator, testConfig, testWorld, type Simulator } from './harness';

export const STACK_KEY = 'client-test-key';
export const OTHER_KEY = 'client-test-other-key';
/** bytes, the stack's cap of a text/plain upload: small, so a test goes over it with a few MB */
export const STACK_TEXT_CAP = 1024 * 1024;

export interface ServiceStack {
  /** the API's base URL */
  url: string;
  sim: Simulator;
  /** ids of the tenant's requests that have any key in Redis (a record, staged items, …) */
  requestIds(tenant: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The whole service as a caller meets it, for the client and CLI tests: the API on a port of its
 * own, one worker, and the simulator, with fast result polling so requests reach VOD's verdict
 * within a test. The key STACK_KEY may use `news` (5,000 items a day, 200 calls a second) and `scarce` (1 a day,
 * so its requests stay deferred); OTHER_KEY may only use `other`. Text uploads are capped at
 * STACK_TEXT_CAP.
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
      // one unit a day and room for one waiting item: a second waiting item is refused until the reset
      { id: 'full', endpoint: simUrl, dailyLimit: 1, maxBacklogItems: 1 },
      { id: 'other', endpoint: simUrl },
    ],
    {
      callers: [
        { id: 'cms', apiKeySha256: sha(STACK_KEY), tenants: ['news', 'scarce', 'full'] },
        { id: 'other', apiKeySha256: sha(OTHER_KEY), tenants: ['other'] },
      ],
      upstream: {
        pollInitialDelayMs: 100, pollMaxDelayMs: 400,
      },
      batching: { lingerMs: 50 },
      ingest: { textBodyBytes: STACK_TEXT_CAP },
    },
  );
  const url = await world.api(config);
  await world.worker(config);
  return {
    url,
    sim,
    async requestIds(tenant) {
      const under = world.keys(tenant).requestPrefix;
      const keys = await scanKeysUnder(world.redis, under.slice(0, -1));
      return [...new Set(keys.map((k) => k.slice(under.length).split(':')[0] ?? ''))].sort();
    },
    async close() {
      await world.close();
      await sim.stop();
    },
  };
}
