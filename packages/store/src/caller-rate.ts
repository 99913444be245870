import type { RedisClient } from './connections';
import { callerKeys } from './keys';
import { acquireCallSlot, openUpload, withScripts, type CallSlot } from './scripts';

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
      return acquireCallSlot(redis, { pace: callerKeys(prefix, callerId).rate, now, perSecond, burst: Math.floor(burst) });
    },
  };
}
export type CallerRate = ReturnType<typeof createCallerRate>;

/**
 * Each API caller's uploads being read, bounded on every API replica together: a body is read
 * only under an open upload, so one caller cannot hold more than its limit of them open.
 */
export function createCallerUploads(redisClient: RedisClient, prefix: string) {
  return callerSlots(redisClient, (callerId) => callerKeys(prefix, callerId).uploads);
}
export type CallerUploads = ReturnType<typeof createCallerUploads>;

/**
 * Each API caller's retained requests, counted on every API replica together: a request holds
 * its place from acceptance for the retention period (the lease), so one caller cannot keep
 * more than its limit of requests' status in Redis, however fast it submits.
 */
export function createCallerRequests(redisClient: RedisClient, prefix: string) {
  return callerSlots(redisClient, (callerId) => callerKeys(prefix, callerId).requests);
}
export type CallerRequests = ReturnType<typeof createCallerRequests>;

/**
 * Each API caller's completion webhooks being delivered, bounded on every worker replica
 * together: one caller whose receiver hangs holds at most its limit of delivery slots, and the
 * other callers' webhooks go on being delivered.
 */
export function createCallerWebhookSlots(redisClient: RedisClient, prefix: string) {
  return callerSlots(redisClient, (callerId) => callerKeys(prefix, callerId).webhooks);
}
export type CallerWebhookSlots = ReturnType<typeof createCallerWebhookSlots>;

/** Places of a caller held under leases (open-upload.lua): at most `limit` at once, on every replica together. */
function callerSlots(redisClient: RedisClient, keyOf: (callerId: string) => string) {
  const redis = withScripts(redisClient);
  return {
    /** Takes one place of the caller if it holds fewer than `limit`; `open` counts those before it. */
    async open(callerId: string, member: string, opts: { now: number; leaseMs: number; limit: number }): Promise<{ ok: boolean; open: number }> {
      return openUpload(redis, { places: keyOf(callerId), member, ...opts });
    },
    /** Moves a place's lease on while it is still in use (only if it is still held). */
    async renew(callerId: string, member: string, leaseEndsAt: number): Promise<void> {
      await redis.zadd(keyOf(callerId), 'XX', leaseEndsAt, member);
    },
    async close(callerId: string, member: string): Promise<void> {
      await redis.zrem(keyOf(callerId), member);
    },
  };
}
