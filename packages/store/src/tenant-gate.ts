import type { PauseReason } from '@refresh/core';
import type { RedisClient } from './connections';
import { tenantKeys } from './keys';
import { acquireCallSlot, claimProbe, markQuotaSpent, throttleTenant, withScripts, type CallSlot } from './scripts';

export type { CallSlot } from './scripts';

/** Why a tenant is paused: VOD refused its credentials or its account (arrears, frozen...). */
export type TenantPauseReason = Extract<PauseReason, 'credentials' | 'account'>;
const PAUSE_REASONS: ReadonlySet<string> = new Set<TenantPauseReason>(['credentials', 'account']);

export interface TenantPause {
  reason: TenantPauseReason;
  /** VOD's error code and message that paused the tenant */
  code: string;
  message: string;
  /** epoch ms the tenant was first paused; later pauses of the same episode keep it */
  since: number;
  /** epoch ms from which one replica may make a probe call */
  probeAt: number;
  /** fingerprint of the tenant's credentials when it was paused: new credentials lift the pause */
  credentials?: string;
}

/** A pause HASH as read back (HGETALL); null when absent or incomplete. */
export function parsePause(h: Record<string, string> | null | undefined): TenantPause | null {
  if (!h?.since || !h.reason || !PAUSE_REASONS.has(h.reason)) return null;
  return {
    reason: h.reason as TenantPauseReason,
    code: h.code ?? '',
    message: h.message ?? '',
    since: Number(h.since),
    probeAt: Number(h.probeAt ?? h.since),
    ...(h.credentials ? { credentials: h.credentials } : {}),
  };
}

/**
 * Whether, and how fast, a tenant may call VOD: paused (credentials or account refused),
 * throttled (VOD answered 429), paced (calls per second) and out of quota. The state lives in
 * Redis under the tenant's hash tag, so every replica obeys the same gate.
 */
export function createTenantGate(redisClient: RedisClient, prefix: string) {
  const redis = withScripts(redisClient);
  const keys = (tenant: string) => tenantKeys(prefix, tenant);

  return {
    async getPause(tenant: string): Promise<TenantPause | null> {
      return parsePause(await redis.hgetall(keys(tenant).pause));
    },

    /**
     * The paused ones among `tenants`, in their order. The reads go out together (one round
     * trip's wait) but each on its own: tenants live in different slots, which on Redis Cluster
     * one pipeline may not span.
     */
    async pausedAmong(tenants: readonly string[]): Promise<Array<{ tenant: string; pause: TenantPause }>> {
      const pauses = await Promise.all(tenants.map(async (t) => parsePause(await redis.hgetall(keys(t).pause))));
      const out: Array<{ tenant: string; pause: TenantPause }> = [];
      tenants.forEach((tenant, i) => {
        const pause = pauses[i];
        if (pause) out.push({ tenant, pause });
      });
      return out;
    },

    /**
     * Pauses the tenant, or updates the pause it is in (new code, message, probe time) while
     * keeping its original `since`. Returns true when the tenant was sending until now.
     */
    async pause(tenant: string, p: TenantPause): Promise<boolean> {
      const key = keys(tenant).pause;
      const res = await redis
        .multi()
        .hsetnx(key, 'since', p.since)
        .hset(key, 'reason', p.reason, 'code', p.code, 'message', p.message.slice(0, 1000), 'probeAt', p.probeAt, 'credentials', p.credentials ?? '')
        .exec();
      const [err, created] = res?.[0] ?? [new Error('pause: transaction discarded')];
      if (err) throw err;
      return Number(created) === 1;
    },

    /** Lifts the pause. Returns true when the tenant was paused. */
    async resume(tenant: string): Promise<boolean> {
      return (await redis.del(keys(tenant).pause)) === 1;
    },

    /**
     * True for exactly one caller per cool-down: the tenant is paused and its probe is due.
     * That caller makes the one probe call; the next probe is due at `nextProbeAt`.
     */
    async claimProbe(tenant: string, now: number, nextProbeAt: number): Promise<boolean> {
      return claimProbe(redis, keys(tenant), { now, nextProbeAt });
    },

    /** Holds every call for the tenant until `untilMs`, or later if a later hold is in force. Returns the hold in force. */
    async throttle(tenant: string, untilMs: number): Promise<number> {
      return throttleTenant(redis, keys(tenant), { until: Math.ceil(untilMs) });
    },

    /** The instant calls may resume, or null when the tenant is not throttled at `now`. */
    async throttledUntil(tenant: string, now: number): Promise<number | null> {
      const v = await redis.get(keys(tenant).throttle);
      const until = v === null ? Number.NaN : Number(v);
      return until > now ? until : null;
    },

    /**
     * Takes one call slot of the tenant's shared pace: all replicas together make at most
     * `maxPerSecond` calls a second, with bursts of at most ceil(maxPerSecond) after a quiet
     * spell. Any 1-second window therefore holds at most burst + maxPerSecond calls.
     */
    async acquireCallSlot(tenant: string, now: number, maxPerSecond: number): Promise<CallSlot> {
      if (!(maxPerSecond > 0)) throw new RangeError(`maxPerSecond must be > 0, got ${maxPerSecond}`);
      return acquireCallSlot(redis, { pace: keys(tenant).rate, now, perSecond: maxPerSecond, burst: Math.ceil(maxPerSecond) });
    },

    /**
     * VOD says the day's quota is used up: the day's budget counter rises to `dailyLimit` (never
     * falls), so claims stop until the budget resets. Returns the counter after the call.
     */
    async markQuotaSpent(tenant: string, dayId: string, dailyLimit: number, ttlSeconds: number): Promise<number> {
      return markQuotaSpent(redis, keys(tenant), { dayId, dailyLimit, ttlSeconds });
    },
  };
}
export type TenantGate = ReturnType<typeof createTenantGate>;
