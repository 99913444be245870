import type { RedisClient } from './connections';
import { addressKeys } from './keys';
import { withScripts } from './scripts';

/** Where a client address stands: its refused keys in the current window, and when that ends. */
export interface AuthFailureState {
  failures: number;
  /** ms until the window ends (0 when there is none) */
  windowEndsInMs: number;
}

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
      const [n, ttl] = (await redis.countAuthFailure(addressKeys(prefix, address).authFailures, Math.round(windowMs))) as number[];
      return { failures: Number(n), windowEndsInMs: Math.max(0, Number(ttl)) };
    },
  };
}
export type AuthFailures = ReturnType<typeof createAuthFailures>;
