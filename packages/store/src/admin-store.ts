import { PRIORITIES, type Priority } from '@refresh/core';
import type { RedisClient } from './connections';
import { tenantKeys, tenantOfRequest } from './keys';
import { cancelItems, requeueFailed, withScripts } from './scripts';

const isPriority = (p: string | null): p is Priority => (PRIORITIES as readonly string[]).includes(p ?? '');

/**
 * Item ids handled per script call: a million-item request is canceled in a thousand short steps
 * instead of one that holds Redis for seconds.
 */
export const ADMIN_PAGE_SIZE = 1000;

export type CancelResult =
  | { status: 'missing' }
  | {
      status: 'ok';
      tenant: string;
      /** pending items canceled: they will never be sent nor spend budget */
      canceled: number;
      /** pending items another request still wants: they stay pending, for this request too */
      keptShared: number;
      /** lines of a request still being coalesced that will never be */
      notIngested: number;
      /** requests (this one, or others whose last open items were canceled with it) now complete */
      completedRequests: string[];
    };

export type RequeueResult =
  | { status: 'missing' | 'canceled' | 'busy' }
  | { status: 'ok'; tenant: string; requeued: number; reopened: boolean };

/** The store's side of the admin actions (cancel-items.lua, requeue-failed.lua). */
export function createAdminStore(redisClient: RedisClient, prefix: string) {
  const redis = withScripts(redisClient);

  return {
    /** Which completion of the request comes next (requeue-failed.lua moves it). */
    async generation(requestId: string): Promise<number> {
      const tenant = tenantOfRequest(requestId);
      if (!tenant) return 0;
      return Number((await redis.hget(tenantKeys(prefix, tenant).request(requestId), 'gen')) ?? 0);
    },

    /** Cancels the request's pending items that no other request wants, a page per call. Idempotent. */
    async cancel(requestId: string, opts: { now: number; ttlSeconds: number; pageSize?: number }): Promise<CancelResult> {
      const tenant = tenantOfRequest(requestId);
      if (!tenant) return { status: 'missing' };
      const k = tenantKeys(prefix, tenant);
      const size = opts.pageSize ?? ADMIN_PAGE_SIZE;
      const out = { status: 'ok' as const, tenant, canceled: 0, keptShared: 0, notIngested: 0, completedRequests: [] as string[] };
      for (let from = 0; from >= 0; ) {
        const page = await cancelItems(redis, k, { requestId, from, pageSize: size, now: opts.now, ttlSeconds: opts.ttlSeconds });
        if (page === 'gone') return from === 0 ? { status: 'missing' } : out;
        out.canceled += page.canceled;
        out.keptShared += page.kept;
        from = page.next;
        out.notIngested = page.notIngested;
        out.completedRequests.push(...page.completedRequests);
      }
      return out;
    },

    /** Makes the request's failed items (X, V) pending again as new attempts, a page per call. */
    async requeueFailed(requestId: string, opts: { now: number; pageSize?: number }): Promise<RequeueResult> {
      const tenant = tenantOfRequest(requestId);
      if (!tenant) return { status: 'missing' };
      const k = tenantKeys(prefix, tenant);
      // requeued items go to the queue of the request's priority, in its caller's lane
      const [recorded = null, caller] = await redis.hmget(k.request(requestId), 'priority', 'caller');
      if (!isPriority(recorded)) return { status: 'missing' };
      const priority = recorded;
      // the lane is known to claims before anything is queued in it (a lane without items costs nothing)
      if (caller) await redis.sadd(k.lanes, caller);
      const size = opts.pageSize ?? ADMIN_PAGE_SIZE;
      let requeued = 0;
      let reopened = false;
      let revisit = false;
      for (let from = 0; from >= 0; ) {
        const page = await requeueFailed(redis, k, { requestId, priority, caller: caller ?? '', from, pageSize: size, now: opts.now });
        if (page === 'gone') return from === 0 && requeued === 0 ? { status: 'missing' } : { status: 'ok', tenant, requeued, reopened };
        if (page === 'canceled') return { status: 'canceled' };
        // only before anything changed: once a page reopened the request it is open, not busy
        if (page === 'busy') return { status: 'busy' };
        requeued += page.requeued;
        if (page.reopened) {
          reopened = true;
          // pages before this one kept their records' TTLs while the request was complete
          if (from > 0 && !revisit) {
            revisit = true;
            from = 0;
            continue;
          }
        }
        from = page.next;
      }
      return { status: 'ok', tenant, requeued, reopened };
    },
  };
}
export type AdminStore = ReturnType<typeof createAdminStore>;
