import { Job, Queue } from 'bullmq';
import { QUEUE_NAMES, createDispatchStore, queuePrefix, type IngestJob } from '@refresh/store';
import { createEnqueuer } from '../src/jobs/enqueuer';
import { createIngestProcessor } from '../src/processors/ingest-processor';
import { createWorkerMetrics, systemClock } from '../src';
import { silent, testWorld, urls } from './harness';

/**
 * Coalescing applies a chunk only at the request's `ingested` counter (coalesce-items.lua). BullMQ
 * may run one ingest job twice at once (a run it took for stalled while it was alive): the two
 * runs then send the same chunks, and every chunk must still be applied exactly once.
 */
const world = testWorld('ingest-runs');
afterAll(() => world.close());

describe('two runs of one ingest job at once', () => {
  it('when both send chunks ahead, then every item is coalesced once and the request is finished', async () => {
    const items = [...urls(3000), ...urls(500)];
    const requestId = await world.submit('news', items);
    const job = (await Job.fromId<IngestJob>(world.ingestQueue, requestId))!;
    const results = new Queue(QUEUE_NAMES.results, { connection: world.redis, prefix: queuePrefix(world.prefix) });
    world.onClose(() => results.close());
    const clock = systemClock();
    const processor = () => createIngestProcessor({
      store: createDispatchStore(world.redis, world.prefix),
      enqueue: createEnqueuer({ dispatch: { queue: world.dispatchQueue, maxAttempts: 3 }, results: { queue: results, initialDelayMs: 1000 }, clock }),
      completions: { relay: async () => undefined },
      clock, logger: silent, metrics: createWorkerMetrics(), chunkItems: 100, retentionSeconds: 600,
      tenantRules: () => ({ minRefreshIntervalMs: 0, assetPattern: null, timezone: 'UTC' }),
      stopping: () => false,
    });

    const [a, b] = (await Promise.all([processor()(job), processor()(job)])) as Array<{ created: number; duplicates: number }>;

    expect(a!.created + b!.created).toBe(3000);
    expect(a!.duplicates + b!.duplicates).toBe(500);
    const request = await world.requests.get(requestId);
    expect(request).toMatchObject({ ingestDone: true, ingested: 3500, counts: { pending: 3000 } });
    const ids = await world.redis.lrange(world.keys('news').requestItems(requestId), 0, -1);
    expect(new Set(ids).size).toBe(3000);
    expect(ids).toHaveLength(3000);
  });
});
