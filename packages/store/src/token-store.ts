import type { RedisClient } from './connections';
import { tenantKeys } from './keys';
import { invalidateToken, releaseTokenLock, withScripts } from './scripts';

export interface CachedToken {
  token: string;
  /** epoch ms the token lapses, as IAM stated it */
  expiresAt: number;
}

/**
 * Each tenant's IAM token, shared by every replica, and the lock that lets one replica at a
 * time fetch a new one. What counts as "fresh enough" is the caller's decision; the store only
 * keeps a token until its expiry and never hands out one Redis has let lapse.
 */
export function createTokenStore(redisClient: RedisClient, prefix: string) {
  const redis = withScripts(redisClient);
  const keys = (tenant: string) => tenantKeys(prefix, tenant);

  return {
    async get(tenant: string): Promise<CachedToken | null> {
      const [token, exp] = await redis.hmget(keys(tenant).token, 'tok', 'exp');
      const expiresAt = Number(exp);
      return token && Number.isFinite(expiresAt) ? { token, expiresAt } : null;
    },

    /**
     * Caches `token` until `expiresAt` (Redis PX = expiresAt − now). A token already lapsed by
     * `now` (the caller's clock, wall clock by default) is not stored.
     */
    async set(tenant: string, token: string, expiresAt: number, now = Date.now()): Promise<void> {
      const ttlMs = Math.floor(expiresAt - now);
      if (ttlMs <= 0) return;
      const key = keys(tenant).token;
      // one transaction: the token is never visible without its expiry
      await redis.multi().del(key).hset(key, 'tok', token, 'exp', expiresAt).pexpire(key, ttlMs).exec();
    },

    /** Takes the fetch lock for `ttlMs` (SET NX PX); false when another owner holds it. */
    async lock(tenant: string, owner: string, ttlMs: number): Promise<boolean> {
      return (await redis.set(keys(tenant).tokenLock, owner, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    },

    /** Releases the lock if `owner` still holds it (release-token-lock.lua). */
    async unlock(tenant: string, owner: string): Promise<boolean> {
      return releaseTokenLock(redis, keys(tenant), { owner });
    },

    /** Forgets the cached token only if it is still `token` (invalidate-token.lua). */
    async invalidate(tenant: string, token: string): Promise<boolean> {
      return invalidateToken(redis, keys(tenant), { token });
    },
  };
}
export type TokenStore = ReturnType<typeof createTokenStore>;
