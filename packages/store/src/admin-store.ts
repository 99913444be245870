import { PRIORITIES, type Priority } from '@refresh/core';
import type { RedisClient } from './connections';
import { tenantKeys, tenantOfRequest } from './keys';
import { withScripts } from './scripts';

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
        const res = (await redis.cancelItems(
          k.pending, k.request(requestId), k.requestItems(requestId), k.completions,
          requestId, from, size, opts.now, opts.ttlSeconds, k.instancePrefix, k.requestPrefix,
        )) as Array<number | string>;
        if (Number(res[0]) === -1) return from === 0 ? { status: 'missing' } : out;
        out.canceled += Number(res[0]);
        out.keptShared += Number(res[1]);
        from = Number(res[2]);
        out.notIngested = Number(res[3]);
        out.completedRequests.push(...res.slice(4).map(String));
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
        const res = (await redis.requeueFailed(
          k.pending, k.seq, k.request(requestId), k.requestItems(requestId), k.requestTasks(requestId),
          k.queue('asset_id', priority, caller ?? ''), k.queue('url', priority, caller ?? ''),
          requestId, from, size, opts.now, k.instancePrefix,
        )) as number[];
        const [n = 0, next = -1, opened = 0] = res;
        if (n === -1) return from === 0 && requeued === 0 ? { status: 'missing' } : { status: 'ok', tenant, requeued, reopened };
        if (n === -2) return { status: 'canceled' };
        // only before anything changed: once a page reopened the request it is open, not busy
        if (n === -3) return { status: 'busy' };
        requeued += n;
        if (opened === 1) {
          reopened = true;
          // pages before this one kept their records' TTLs while the request was complete
          if (from > 0 && !revisit) {
            revisit = true;
            from = 0;
            continue;
          }
        }
        from = next;
      }
      return { status: 'ok', tenant, requeued, reopened };
    },
  };
}
export type AdminStore = ReturnType<typeof createAdminStore>;
