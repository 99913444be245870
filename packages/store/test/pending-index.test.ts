import { createAdminStore, createDispatchStore, createRequestStore, instanceRows, itemDigest, pendingCount, prepareChunk, tenantKeys } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

/**
 * The pending index keys items by a short digest of their key, so it holds no second copy of
 * their characters. It must stay exact whatever the digest: two different items are never
 * merged, even when their digests are equal. Real digests of 48 bits do not collide in a test,
 * so the test makes one: it points a second item's digest at the first item's instance, as a
 * collision would, and checks that coalescing, claiming and canceling still treat them apart.
 */
const redis = newRedis();
const prefix = testPrefix('pidx');
const store = createDispatchStore(redis, prefix);
const requests = createRequestStore(redis, prefix);
const admin = createAdminStore(redis, prefix);
const claimOpts = { now: 5000, lingerMs: 0, maxItems: 10, dayId: '2026-11-23', dailyLimit: 100, ttlSeconds: 600 };
let seq = 0;

async function submit(tenant: string, items: string[]) {
  const requestId = `${tenant}.req${String(++seq).padStart(8, '0')}`;
  await requests.stage(tenant, requestId, items, 600);
  await requests.create({ tenant, requestId, priority: 'normal', received: items.length, createdAt: 1000 }, 600);
  const res = await store.coalesce(tenant, requestId, 'normal', 0, items.length, items, 1000);
  await store.finishIngest(tenant, requestId, 600);
  return { requestId, res };
}

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

describe('the pending index', () => {
  it('when an item is pending, then it is found by its digest, and the index holds the digest, not the item', async () => {
    const a = await submit('d1', ['u:https://cdn.example.com/a.m3u8']);
    expect(a.res).toEqual({ created: 1, linked: 0, duplicates: 0 });
    const b = await submit('d1', ['u:https://cdn.example.com/a.m3u8']);
    expect(b.res).toEqual({ created: 0, linked: 1, duplicates: 0 });
    const k = tenantKeys(prefix, 'd1');
    expect(await redis.hkeys(k.pendingDigests)).toEqual([itemDigest('u:https://cdn.example.com/a.m3u8')]);
  });

  it('when a second item has the digest of a pending one, then it gets its own instance, repeats of each link to their own, and claims and cancels take each apart', async () => {
    const k = tenantKeys(prefix, 'd2');
    const first = await submit('d2', ['u:https://cdn.example.com/first.m3u8']);
    const [firstId] = await redis.lrange(k.requestItems(first.requestId), 0, 0);
    // the collision: the second item's digest names the first item's instance
    await redis.hset(k.pendingDigests, itemDigest('u:https://cdn.example.com/second.m3u8'), firstId!);

    const second = await submit('d2', ['u:https://cdn.example.com/second.m3u8']);
    expect(second.res).toEqual({ created: 1, linked: 0, duplicates: 0 });
    const [secondId] = await redis.lrange(k.requestItems(second.requestId), 0, 0);
    expect(secondId).not.toBe(firstId);
    expect(await redis.hget(k.pendingCollisions, 'u:https://cdn.example.com/second.m3u8')).toBe(secondId);
    // a repeat of each links to its own instance
    const again = await submit('d2', ['u:https://cdn.example.com/second.m3u8', 'u:https://cdn.example.com/first.m3u8']);
    expect(again.res).toEqual({ created: 0, linked: 2, duplicates: 0 });
    expect(await redis.lrange(k.requestItems(again.requestId), 0, -1)).toEqual([secondId, firstId]);

    // canceling the second's requests cancels it alone; the first stays pending
    await admin.cancel(second.requestId, { now: 3000, ttlSeconds: 600 });
    await admin.cancel(again.requestId, { now: 3000, ttlSeconds: 600 });
    expect(await redis.hget(k.pendingCollisions, 'u:https://cdn.example.com/second.m3u8')).toBeNull();
    expect((await requests.items(first.requestId, 0, 1)).items[0]?.state).toBe('pending');

    // a claim sends the first, once, under its own key
    const claim = await store.claim('d2', 'b1', claimOpts);
    expect(claim).toMatchObject({ action: 'send', kind: 'url', values: ['https://cdn.example.com/first.m3u8'] });
    expect(await instanceRows(redis, k, [firstId!, secondId!], ['v', 's'])).toEqual([
      ['u:https://cdn.example.com/first.m3u8', 'F'],
      ['u:https://cdn.example.com/second.m3u8', 'K'],
    ]);
    // only the planted entry is left in the index (a real collision would have none)
    expect(await pendingCount(redis, k)).toBe(1);
  });

  it('when two different items of one chunk have one digest, then each gets its own instance, and repeats of each link to their own', async () => {
    const k = tenantKeys(prefix, 'd6');
    const [a, b] = ['u:https://cdn.example.com/one.m3u8', 'u:https://cdn.example.com/two.m3u8'];
    // the collision: every worker digests both items alike, and prepareChunk finds it
    const collide = (key: string) => (key === a || key === b ? 'cccccccccccc' : itemDigest(key));
    const submitColliding = async (items: string[]) => {
      const requestId = `d6.req${String(++seq).padStart(8, '0')}`;
      await requests.stage('d6', requestId, items, 600);
      await requests.create({ tenant: 'd6', requestId, priority: 'normal', received: items.length, createdAt: 1000 }, 600);
      const res = await store.coalesce('d6', requestId, 'normal', 0, items.length, prepareChunk(items, undefined, collide), 1000);
      return { requestId, res, ids: await redis.lrange(k.requestItems(requestId), 0, -1) };
    };

    const first = await submitColliding([a, b]);
    expect(first.res).toEqual({ created: 2, linked: 0, duplicates: 0 });
    const [idA, idB] = first.ids;
    expect(idA).not.toBe(idB);
    expect(await redis.hget(k.pendingDigests, 'cccccccccccc')).toBe(idA);
    expect(await redis.hget(k.pendingCollisions, b)).toBe(idB);

    const again = await submitColliding([b, a]);
    expect(again.res).toEqual({ created: 0, linked: 2, duplicates: 0 });
    expect(again.ids).toEqual([idB, idA]);
  });

  it('when the carrier a covered URL needs has the digest of another pending item, then the carrier goes to the collision HASH and the other item keeps its entry', async () => {
    const k = tenantKeys(prefix, 'd8');
    const asset = '00112233445566778899aabbccddeeff';
    const other = 'u:https://cdn.example.com/other.m3u8';
    // the collision: `other` has the digest that the asset's carrier (`a:<asset>`) will have
    const collide = (key: string) => (key === other ? itemDigest(`a:${asset}`) : itemDigest(key));
    const submitAs = async (items: string[], assetIds?: Array<string | null>) => {
      const requestId = `d8.req${String(++seq).padStart(8, '0')}`;
      await requests.stage('d8', requestId, items, 600);
      await requests.create({ tenant: 'd8', requestId, priority: 'normal', received: items.length, createdAt: 1000 }, 600);
      const res = await store.coalesce('d8', requestId, 'normal', 0, items.length, prepareChunk(items, assetIds, collide), 1000);
      await store.finishIngest('d8', requestId, 600);
      return { res, ids: await redis.lrange(k.requestItems(requestId), 0, -1) };
    };

    const first = await submitAs([other]);
    expect(first.res).toEqual({ created: 1, linked: 0, duplicates: 0 });
    const covered = await submitAs([`u:https://media.example.com/asset/${asset}/index.m3u8`], [asset]);
    expect(covered.res).toEqual({ created: 1, linked: 0, duplicates: 0, covered: 1 });
    const carrier = await redis.hget(k.pendingCollisions, `a:${asset}`);
    expect(carrier).not.toBeNull();
    expect(await redis.hget(k.pendingDigests, itemDigest(`a:${asset}`))).toBe(first.ids[0]);

    // a repeat of the other item links to it, and a request for the asset to its carrier
    expect(await submitAs([other])).toEqual({ res: { created: 0, linked: 1, duplicates: 0 }, ids: first.ids });
    expect(await submitAs([`a:${asset}`])).toEqual({ res: { created: 0, linked: 1, duplicates: 0 }, ids: [carrier] });
  });

  it('when items are as long as VOD allows or not ASCII, then they reach the script whole: a repeat links to each', async () => {
    const items = [`u:https://cdn.example.com/${'l'.repeat(10_200)}`, `u:https://cdn.example.com/${'m'.repeat(300)}`, 'u:https://cdn.example.com/é/日本.m3u8'];
    expect((await submit('d7', items)).res).toEqual({ created: 3, linked: 0, duplicates: 0 });
    expect((await submit('d7', [...items].reverse())).res).toEqual({ created: 0, linked: 3, duplicates: 0 });
    const k = tenantKeys(prefix, 'd7');
    expect(await redis.hkeys(k.pendingDigests)).toEqual(expect.arrayContaining(items.map(itemDigest)));
  });

  it('when a backlog was written by a version before packing and digests, then a new worker serves it: repeats link to it, claims send it once, and its index drains', async () => {
    const k = tenantKeys(prefix, 'd3');
    // as the older coalesce-items.lua left a pending item: a whole instance HASH, the index by
    // item key, the queue and the request's item list
    const old = 'd3.req00000old';
    await requests.create({ tenant: 'd3', requestId: old, priority: 'normal', received: 1, createdAt: 900 }, 600);
    await redis.set(k.seq, 7);
    await redis.hset(k.instance(7), 'v', 'u:https://cdn.example.com/old.m3u8', 'r', old, 't', 900);
    await redis.hset(k.pending, 'u:https://cdn.example.com/old.m3u8', '7');
    await redis.rpush(k.queue('url', 'normal'), '7');
    await redis.rpush(k.requestItems(old), '7');
    await redis.hset(k.request(old), 'ingested', 1, 'done', 1, 'pending', 1);
    expect(await pendingCount(redis, k)).toBe(1);

    const repeat = await submit('d3', ['u:https://cdn.example.com/old.m3u8', 'u:https://cdn.example.com/new.m3u8']);
    expect(repeat.res).toEqual({ created: 1, linked: 1, duplicates: 0 });
    const claim = await store.claim('d3', 'b1', claimOpts);
    expect(claim).toMatchObject({ action: 'send', values: ['https://cdn.example.com/old.m3u8', 'https://cdn.example.com/new.m3u8'] });
    expect((await requests.get(old))?.counts).toMatchObject({ pending: 0, in_flight: 1 });
    expect((await requests.get(repeat.requestId))?.counts).toMatchObject({ pending: 0, in_flight: 2 });
    expect(await redis.exists(k.pending)).toBe(0);
    expect(await pendingCount(redis, k)).toBe(0);
  });

  it('when a chunk makes a carrier for a covered URL and more new items follow it, then the carrier is in the index, and a later request for the asset links to it', async () => {
    const asset = '0123456789abcdef0123456789abcdef';
    const urls = [`u:https://media.example.com/asset/${asset}/index.m3u8`, 'u:https://media.example.com/live/other.m3u8'];
    const first = `d4.req${String(++seq).padStart(8, '0')}`;
    await requests.stage('d4', first, urls, 600);
    await requests.create({ tenant: 'd4', requestId: first, priority: 'normal', received: 2, createdAt: 1000 }, 600);
    await store.coalesce('d4', first, 'normal', 0, 2, urls, 1000, 0, '2026-11-23', [asset, null]);
    await store.finishIngest('d4', first, 600);

    const again = await submit('d4', [`a:${asset}`]);
    expect(again.res).toEqual({ created: 0, linked: 1, duplicates: 0 });
  });

  it('when a carrier made for URLs alone is spent on again after a refund, then the ledger counts the URLs it carries, not the carrier', async () => {
    const asset = 'fedcba9876543210fedcba9876543210';
    const urls = [`u:https://media.example.com/asset/${asset}/a.m3u8`, `u:https://media.example.com/asset/${asset}/b.m3u8`];
    const r = `d5.req${String(++seq).padStart(8, '0')}`;
    await requests.stage('d5', r, urls, 600);
    await requests.create({ tenant: 'd5', requestId: r, priority: 'normal', received: 2, createdAt: 1000 }, 600);
    await store.coalesce('d5', r, 'normal', 0, 2, urls, 1000, 0, claimOpts.dayId, [asset, asset]);
    await store.finishIngest('d5', r, 600);
    const ledger = tenantKeys(prefix, 'd5').ledger(claimOpts.dayId);

    expect(await store.claim('d5', 'b1', claimOpts)).toMatchObject({ action: 'send', kind: 'asset_id' });
    expect(await redis.hget(ledger, 'items')).toBe('2');
    // the call is held back and its unit given back, then spent again for the next attempt
    expect(await store.beginAttempt('d5', 'b1', claimOpts)).toBe('ok');
    await store.holdBudget('d5', 'b1', claimOpts.dayId, true);
    expect(await store.beginAttempt('d5', 'b1', claimOpts)).toBe('ok');
    expect(await redis.hget(ledger, 'items')).toBe('4');
  });
});

