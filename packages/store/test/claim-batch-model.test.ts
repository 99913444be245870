import { ITEM_KINDS, PRIORITIES, chooseBatch, type QueueHead } from '@refresh/core';
import fc from 'fast-check';
import { createDispatchStore, createRequestStore } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

/**
 * claim-batch.lua against its reference model, chooseBatch (packages/core/src/batching.ts): for
 * any pending state of one tenant (lists of both kinds and three priorities, each with its count
 * and the age of its oldest item), any linger, batch size and budget left, the script decides
 * what the model decides: idle, budget, wait until when, or send a batch of which kind and size.
 * The model knows none of the script's other duties (lanes, the urgent reserve, the pace, the
 * debounce, cancels, asset cover), so they are off here and tested in claim-batch.test.ts.
 */
const redis = newRedis();
const prefix = testPrefix('claim-model');
const store = createDispatchStore(redis, prefix);
const requests = createRequestStore(redis, prefix);
const NOW = 1_000_000;
let seq = 0;

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

/** Queues `head.count` new items in the head's list, each enqueued at its oldestEnqueuedAt. */
async function enqueue(tenant: string, head: QueueHead): Promise<void> {
  const requestId = `${tenant}.req${String(++seq).padStart(8, '0')}`;
  const items = Array.from({ length: head.count }, (_, i) => (head.kind === 'asset_id' ? `a:m${seq}x${i}` : `u:http://m.example/${seq}/${i}`));
  const at = head.oldestEnqueuedAt ?? NOW;
  await requests.stage(tenant, requestId, items, 600);
  await requests.create({ tenant, requestId, priority: head.priority, received: items.length, createdAt: at }, 600);
  await store.coalesce(tenant, requestId, head.priority, 0, items.length, items, at);
  await store.finishIngest(tenant, requestId, 600);
}

describe('claim-batch.lua against chooseBatch', () => {
  const headsArb = fc.array(
    fc.record({
      kind: fc.constantFrom(...ITEM_KINDS),
      priority: fc.constantFrom(...PRIORITIES),
      count: fc.integer({ min: 0, max: 12 }),
      oldestEnqueuedAt: fc.integer({ min: NOW - 10_000, max: NOW }),
    }),
    { maxLength: 6 },
  );
  const optsArb = fc.record({
    lingerMs: fc.integer({ min: 0, max: 10_000 }),
    maxItems: fc.integer({ min: 1, max: 10 }),
    // small, so that batches the budget cuts short, or fills exactly, come up often
    budgetRemaining: fc.integer({ min: -2, max: 14 }),
  });

  it('for any pending state, linger, batch size and budget, the script decides what the model decides', async () => {
    await fc.assert(
      fc.asyncProperty(headsArb, optsArb, async (heads, o) => {
        const tenant = `m${++seq}`;
        // a list is first in, first out: its items enter in the order of their times
        for (const head of [...heads].sort((a, b) => a.oldestEnqueuedAt - b.oldestEnqueuedAt)) {
          if (head.count > 0) await enqueue(tenant, head);
        }
        const claimed = await store.claim(tenant, 'b1', {
          now: NOW, lingerMs: o.lingerMs, maxItems: o.maxItems, dayId: '2026-11-23', dailyLimit: o.budgetRemaining, ttlSeconds: 600,
        });
        const script = claimed.action === 'send' ? { action: 'send', kind: claimed.kind, size: claimed.values.length } : claimed;
        expect(script).toEqual(chooseBatch(heads, { now: NOW, ...o }));
      }),
      { numRuns: 300 },
    );
  });
});
