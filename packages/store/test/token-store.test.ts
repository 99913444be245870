import { createTokenStore, tenantKeys } from '../src';
import { cleanPrefix, newRedis, testPrefix } from './redis-test-utils';

const redis = newRedis();
const prefix = testPrefix('token-store');
const store = createTokenStore(redis, prefix);
const keys = tenantKeys(prefix, 't1');

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await redis.quit();
});

describe('token store', () => {
  it('when a token is set, then it reads back with its expiry and Redis lets it lapse then', async () => {
    const now = Date.now();
    await store.set('t1', 'tok-a', now + 60_000, now);
    const setAt = Date.now();

    expect(await store.get('t1')).toEqual({ token: 'tok-a', expiresAt: now + 60_000 });
    // Redis counts the 60 s from when it ran the set, which lies between the two clock readings
    // (bounds from the order of events: how long the test took does not enter)
    const lapsesAt = await redis.pexpiretime(keys.token);
    expect(lapsesAt).toBeGreaterThanOrEqual(now + 60_000);
    expect(lapsesAt).toBeLessThanOrEqual(setAt + 60_000);
  });

  it('when the expiry is already past, then nothing is stored', async () => {
    const now = Date.now();
    await store.set('t2', 'tok-old', now - 1, now);

    expect(await store.get('t2')).toBeNull();
  });

  it('when one owner holds the lock, then another cannot take it, nor release it', async () => {
    expect(await store.lock('t1', 'replica-a', 10_000)).toBe(true);
    expect(await store.lock('t1', 'replica-b', 10_000)).toBe(false);

    expect(await store.unlock('t1', 'replica-b')).toBe(false);
    expect(await redis.get(keys.tokenLock)).toBe('replica-a');
    expect(await store.unlock('t1', 'replica-a')).toBe(true);
    expect(await store.lock('t1', 'replica-b', 10_000)).toBe(true);
    await store.unlock('t1', 'replica-b');
  });

  it('when the lock ttl passes, then another owner can take it', async () => {
    expect(await store.lock('t3', 'replica-a', 50)).toBe(true);
    await new Promise((r) => setTimeout(r, 120));

    expect(await store.lock('t3', 'replica-b', 10_000)).toBe(true);
  });

  it('when a refused token is invalidated after a newer one was stored, then the newer one stays', async () => {
    const now = Date.now();
    await store.set('t1', 'tok-new', now + 60_000, now);

    expect(await store.invalidate('t1', 'tok-a')).toBe(false);
    expect((await store.get('t1'))?.token).toBe('tok-new');
    expect(await store.invalidate('t1', 'tok-new')).toBe(true);
    expect(await store.get('t1')).toBeNull();
  });
});
