import type { RedisClient } from './connections';
import { callerKeys } from './keys';
import { withScripts } from './scripts';
import type { CallSlot } from './tenant-gate';

/**
 * Each API caller's request rate, shared by every API replica: the same GCRA that paces a
 * tenant's calls to VOD (acquire-call-slot.lua), on one key per caller.
 */
export function createCallerRate(redisClient: RedisClient, prefix: string) {
  const redis = withScripts(redisClient);
  return {
    /**
     * Takes one request slot of the caller: at most `burst` at once after a quiet spell, then
     * `perSecond` a second. A refusal says how long until the next slot frees.
     */
    async take(callerId: string, now: number, perSecond: number, burst: number): Promise<CallSlot> {
      if (!(perSecond > 0)) throw new RangeError(`perSecond must be > 0, got ${perSecond}`);
      if (!(burst >= 1)) throw new RangeError(`burst must be >= 1, got ${burst}`);
      const [ok, wait] = (await redis.acquireCallSlot(callerKeys(prefix, callerId).rate, now, perSecond, Math.floor(burst))) as number[];
      return ok === 1 ? { ok: true } : { ok: false, retryInMs: Math.max(1, Number(wait)) };
    },
  };
}
export type CallerRate = ReturnType<typeof createCallerRate>;
