import type { RedisClient } from './connections';
import { addressKeys } from './keys';
import { countAuthFailure, withScripts, type AuthFailureState } from './scripts';

export type { AuthFailureState } from './scripts';

/**
 * Refused API keys per client address, counted by every API replica together, so that keys
 * cannot be guessed at the request rate (count-auth-failure.lua). Addresses come from the API
 * already reduced (an IPv6 client counts by its /64).
 */
export function createAuthFailures(redisClient: RedisClient, prefix: string) {
  const redis = withScripts(redisClient);
  return {
    /** The address's failures in its current window, without counting one. */
    async read(address: string): Promise<AuthFailureState> {
      const key = addressKeys(prefix, address).authFailures;
      const [[, n], [, ttl]] = (await redis.multi().get(key).pttl(key).exec()) as [[unknown, string | null], [unknown, number]];
      return { failures: Number(n ?? 0), windowEndsInMs: Math.max(0, Number(ttl)) };
    },
    /** Counts one refused key from the address; a first failure opens a window of `windowMs`. */
    async count(address: string, windowMs: number): Promise<AuthFailureState> {
      if (!(windowMs >= 1)) throw new RangeError(`windowMs must be >= 1, got ${windowMs}`);
      return countAuthFailure(redis, { failures: addressKeys(prefix, address).authFailures, windowMs: Math.round(windowMs) });
    },
  };
}
export type AuthFailures = ReturnType<typeof createAuthFailures>;
