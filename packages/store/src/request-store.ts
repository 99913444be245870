import { randomBytes } from 'node:crypto';
import type { Priority } from '@refresh/core';
import type { RedisClient } from './connections';
import { instanceRows } from './instances';
import { isItemChunk, itemChunk, type ItemChunk } from './item-chunk';
import { pendingCount, pendingHashes, tenantKeys, tenantOfRequest } from './keys';
import { chargesOf, readLedger, type LedgerDay } from './ledger';
import {
  admitRequest, claimIdempotencyKey, discardRequest, markWebhookDelivered, readRequestPosition, stageChunk, withScripts,
  type Admission, type IdempotencyClaim, type RequestPosition,
} from './scripts';

export type { Admission } from './scripts';

export type ItemState = 'pending' | 'deferred' | 'in_flight' | 'submitted' | 'completed' | 'failed' | 'unknown' | 'canceled';

/**
 * Instance `s` codes: P pending, F in flight (D while its batch waits for the next budget day,
 * defer-batch.lua), S submitted, then VOD's verdict (record-results.lua):
 * C completed, V failed by VOD's verdict, U unknown (none before the polling gave up). X is a
 * batch VOD refused or that ran out of attempts (finish-batch.lua): failed as well. K was canceled
 * by an admin while pending (cancel-items.lua): final, never sent.
 */
const STATE_OF: Record<string, ItemState> = {
  P: 'pending', F: 'in_flight', D: 'deferred', S: 'submitted', C: 'completed', V: 'failed', U: 'unknown', X: 'failed', K: 'canceled',
};
/** states an item reaches only after VOD accepted it, so it has a task id and a submission time */
const AFTER_SUBMISSION = new Set(['S', 'C', 'V', 'U']);

/** Where a request's completion webhook goes, and whose webhook config signs and allows it. */
export interface RequestCallback {
  url: string;
  caller: string;
}

export interface RequestRecord {
  requestId: string;
  tenant: string;
  priority: Priority;
  createdAt: number;
  received: number;
  ingested: number;
  ingestDone: boolean;
  /** epoch ms before which the request is not coalesced nor sent (a scheduled refresh), if it was scheduled */
  notBefore?: number;
  /**
   * Unique items by state. `deferred` are claimed items whose batch waits for the next budget
   * day; `in_flight` the other claimed ones. (Pending items deferred by a spent budget are the
   * API's to tell: they are counted in `pending`.)
   */
  counts: { pending: number; deferred: number; in_flight: number; submitted: number; completed: number; failed: number; unknown: number; canceled: number };
  /** epoch ms an admin canceled the request (its pending items), if one did */
  canceledAt?: number;
  taskIds: string[];
  taskIdsTotal: number;
  callback?: RequestCallback;
  /** epoch ms the completion webhook was delivered (a 2xx); absent until then */
  webhookDeliveredAt?: number;
  /** the completion (generation, see requeue-failed.lua) the last delivered webhook reported */
  webhookDeliveredGen?: number;
  /** the W3C traceparent of the request's trace, if it was traced */
  traceparent?: string;
}

export interface ItemRecord {
  kind: 'asset_id' | 'url';
  value: string;
  state: ItemState | 'expired';
  task_id?: string;
  submitted_at?: string;
  error?: { code: string; message: string };
  /** a pending item held by the hot-item debounce: when it may go */
  next_attempt_at?: string;
  /** a URL that goes (or went) with its asset's refresh (asset cover) */
  covered_by?: { asset_id: string };
}

/**
 * Request ids are `<tenant>.<16 hex>` so status reads find the tenant's slot without a lookup.
 * 64 random bits: every pending item carries its request id, so each byte is paid a million times.
 */
export function newRequestId(tenant: string): string {
  return `${tenant}.${randomBytes(8).toString('hex')}`;
}

/**
 * The API's side of the store: staging an upload, recording a request, idempotency and the
 * reads behind the status endpoints.
 */
export function createRequestStore(redisClient: RedisClient, prefix: string) {
  const redis = withScripts(redisClient);
  const keys = (tenant: string) => tenantKeys(prefix, tenant);

  /** A page of the request's unique items, in order of first appearance; cursor is an offset. */
  async function items(requestId: string, cursor: number, limit: number): Promise<{ items: ItemRecord[]; next: number | null }> {
    const tenant = tenantOfRequest(requestId);
    if (!tenant) return { items: [], next: null };
    const k = keys(tenant);
    const ids = await redis.lrange(k.requestItems(requestId), cursor, cursor + limit - 1);
    const rows = await instanceRows(redis, k, ids, ['v', 's', 'k', 'a', 'e', 'm', 'nb', 'cv']);
    const page = rows.map((row): ItemRecord => {
      const [v, s, task, at, code, msg, nb, cv] = row;
      if (!v) return { kind: 'url', value: '', state: 'expired' };
      // no state field: pending (see coalesce-items.lua)
      const item: ItemRecord = { kind: v.startsWith('a:') ? 'asset_id' : 'url', value: v.slice(2), state: (s && STATE_OF[s]) || 'pending' };
      if (task) item.task_id = task;
      if (s && AFTER_SUBMISSION.has(s) && at) item.submitted_at = new Date(Number(at)).toISOString();
      if (s === 'X' || s === 'V') item.error = { code: code ?? '', message: msg ?? '' };
      if (!s && nb) item.next_attempt_at = new Date(Number(nb)).toISOString();
      if (cv) item.covered_by = { asset_id: cv };
      return item;
    });
    return { items: page, next: ids.length === limit ? cursor + limit : null };
  }

  return {
    /** The tenant's spend ledger for each of `dayIds` (budget days, yyyy-MM-dd). */
    spend: (tenant: string, dayIds: readonly string[]): Promise<LedgerDay[]> => readLedger(redis, prefix, tenant, dayIds),

    /** Appends validated item keys to the request's staging list (not yet visible to workers). */
    async stage(tenant: string, requestId: string, itemKeys: string[], ttlSeconds: number): Promise<void> {
      if (itemKeys.length === 0) return;
      const k = keys(tenant).requestStage(requestId);
      await redis.multi().rpush(k, ...itemKeys).expire(k, ttlSeconds).exec();
    },

    /** Moves the lease of an upload still arriving on (only if its lines are still counted). */
    async renewUpload(tenant: string, requestId: string, leaseEndsAt: number): Promise<void> {
      await redis.zadd(keys(tenant).uploadLeases, 'XX', leaseEndsAt, requestId);
    },

    /**
     * Stages one chunk of an upload still arriving, counted in the tenant's backlog at once
     * (under the upload's lease, renewed by each chunk), if the backlog has room for it: checked
     * and written in one step (stage-chunk.lua). Refused: nothing is written.
     */
    async stageCounted(
      tenant: string,
      requestId: string,
      items: readonly string[] | ItemChunk,
      /** maxStagedBytes: the tenant's cap on bytes staged and not yet coalesced (absent: none) */
      opts: { ttlSeconds: number; maxBacklog: number; now: number; leaseMs: number; maxStagedBytes?: number },
    ): Promise<Admission> {
      const chunk = isItemChunk(items) ? items : itemChunk(items);
      if (chunk.count === 0) return { admitted: true, backlog: 0 };
      return stageChunk(redis, keys(tenant), { ...opts, requestId, chunk });
    },

    /** Drops a request's staging and record; lines it counted leave the tenant's backlog. */
    async discard(tenant: string, requestId: string): Promise<void> {
      await discardRequest(redis, keys(tenant), { requestId });
    },

    /**
     * Records the request, counting its lines in the tenant's backlog. With `maxBacklog`, only
     * if the backlog (pending items plus lines not yet coalesced) has room for them: checked
     * and recorded in one step (admit-request.lua), so replicas cannot overshoot it together.
     */
    async create(
      r: {
        tenant: string; requestId: string; priority: Priority; received: number; createdAt: number; callback?: RequestCallback;
        /** the API caller that sent it: its items wait in that caller's lane and its budget is charged to it */
        caller?: string;
        /** epoch ms before which it is not coalesced, so nothing of it is sent (a scheduled refresh) */
        notBefore?: number;
        /** the W3C traceparent of the request's trace, when traced: what its calls' spans link to */
        traceparent?: string;
      },
      ttlSeconds: number,
      maxBacklog?: number,
      /** the API's clock, for the upload leases (default: the request's createdAt) */
      now?: number,
    ): Promise<Admission> {
      const k = keys(r.tenant);
      const fields = {
        ...(r.callback && { callback_url: r.callback.url, callback_caller: r.callback.caller }),
        ...(r.caller && { caller: r.caller }),
        ...(r.notBefore !== undefined && { nb: r.notBefore }),
        ...(r.traceparent !== undefined && { tp: r.traceparent }),
        priority: r.priority, created_at: r.createdAt, received: r.received, ingested: 0, done: 0,
        pending: 0, in_flight: 0, submitted: 0, completed: 0, failed: 0, unknown: 0,
      };
      const admission = await admitRequest(redis, k, {
        requestId: r.requestId, received: r.received, ttlSeconds, maxBacklog, now: now ?? r.createdAt, fields,
      });
      // shown by the budget until its ingest starts (a crash right here only hides it from that view)
      if (admission.admitted && r.notBefore !== undefined) await redis.zadd(k.scheduled, r.notBefore, r.requestId);
      return admission;
    },

    /**
     * The tenant's backlog: items pending, lines received but not yet coalesced, and lines of
     * uploads still arriving (leases not checked here: an expired one only makes this a little
     * high until the next staged chunk or admission drops it).
     */
    async backlog(tenant: string): Promise<number> {
      const k = keys(tenant);
      const [pending, staged, arriving] = await Promise.all([pendingCount(redis, k), redis.get(k.staged), redis.hvals(k.uploads)]);
      return pending + Math.max(0, Number(staged ?? 0)) + arriving.reduce((a, n) => a + Number(n), 0);
    },

    /**
     * Remembers `Idempotency-Key` → (body hash, request id) for `ttlSeconds`, first writer wins.
     * Returns the earlier request when the key was used before.
     */
    async rememberIdempotencyKey(
      tenant: string,
      keyHash: string,
      bodyHash: string,
      requestId: string,
      ttlSeconds: number,
      /** the API's clock and how long the binding is its owner's alone before the request is recorded */
      lease: { now: number; ms: number } = { now: Date.now(), ms: 10_000 },
    ): Promise<IdempotencyClaim> {
      return claimIdempotencyKey(redis, keys(tenant), { keyHash, bodyHash, requestId, ttlSeconds, now: lease.now, leaseMs: lease.ms });
    },

    async forgetIdempotencyKey(tenant: string, keyHash: string): Promise<void> {
      await redis.del(keys(tenant).idempotency(keyHash));
    },

    async get(requestId: string, maxTaskIds = 1000): Promise<RequestRecord | null> {
      const tenant = tenantOfRequest(requestId);
      if (!tenant) return null;
      const k = keys(tenant);
      const [h, tasks, taskCount] = await Promise.all([
        redis.hgetall(k.request(requestId)),
        redis.sscan(k.requestTasks(requestId), '0', 'COUNT', maxTaskIds).then(([, ids]) => ids.slice(0, maxTaskIds)),
        redis.scard(k.requestTasks(requestId)),
      ]);
      if (!h.created_at) return null;
      const n = (f: string) => Number(h[f] ?? 0);
      return {
        requestId,
        tenant,
        priority: (h.priority ?? 'normal') as Priority,
        createdAt: n('created_at'),
        received: n('received'),
        ingested: n('ingested'),
        ingestDone: h.done === '1',
        ...(h.nb !== undefined && { notBefore: n('nb') }),
        // the hash's in_flight includes its deferred items (defer-batch.lua): apart here
        counts: {
          pending: n('pending'), deferred: n('deferred'), in_flight: n('in_flight') - n('deferred'), submitted: n('submitted'),
          completed: n('completed'), failed: n('failed'), unknown: n('unknown'), canceled: n('canceled'),
        },
        ...(h.cx ? { canceledAt: n('cx') } : {}),
        taskIds: tasks.sort(),
        taskIdsTotal: taskCount,
        ...(h.callback_url && { callback: { url: h.callback_url, caller: h.callback_caller ?? '' } }),
        ...(h.webhook_delivered_at && { webhookDeliveredAt: n('webhook_delivered_at'), webhookDeliveredGen: n('webhook_delivered_gen') }),
        ...(h.tp && { traceparent: h.tp }),
      };
    },

    /** Records that the completion webhook was delivered, so a late duplicate job sends nothing. */
    async markWebhookDelivered(requestId: string, at: number, gen = 0): Promise<boolean> {
      const tenant = tenantOfRequest(requestId);
      if (!tenant) return false;
      return markWebhookDelivered(redis, keys(tenant), { requestId, at, gen });
    },

    items,

    /**
     * A page of what the request holds now. Once coalesced: its unique items, as `items()`.
     * While still being taken in, the unique items are not all known yet, so the page lists the
     * staged items as sent (duplicates included), all `pending`. The done flag and the stage
     * are read in one MULTI: finish-ingest sets one and deletes the other atomically, so the
     * page never falls between the two (an empty stage while not done).
     */
    async progressItems(requestId: string, cursor: number, limit: number): Promise<{ items: ItemRecord[]; next: number | null }> {
      const tenant = tenantOfRequest(requestId);
      if (!tenant) return { items: [], next: null };
      const k = keys(tenant);
      const res = await redis.multi().hget(k.request(requestId), 'done').lrange(k.requestStage(requestId), cursor, cursor + limit - 1).exec();
      const done = res?.[0]?.[1] as string | null | undefined;
      const staged = (res?.[1]?.[1] ?? []) as string[];
      if (done === '1') return items(requestId, cursor, limit);
      const page = staged.map((line): ItemRecord => ({ kind: line.startsWith('a:') ? 'asset_id' : 'url', value: line.slice(2), state: 'pending' }));
      return { items: page, next: page.length === limit ? cursor + limit : null };
    },

    /**
     * How many of the tenant's items go out before the last of this request's, its own
     * included (read-request-position.lua): what its completion estimate counts. `exact` is
     * false when it is the over-estimate "everything at its priority and above". `used` is the
     * budget reserved on `dayId`, read at the same moment.
     */
    async position(
      requestId: string,
      dayId: string,
      /** the tenant's callers' weights (claim-batch.lua shares a priority between them by weight) */
      weights: Readonly<Record<string, number>> = {},
    ): Promise<RequestPosition | null> {
      const tenant = tenantOfRequest(requestId);
      if (!tenant) return null;
      return readRequestPosition(redis, keys(tenant), { requestId, dayId, weights });
    },

    /**
     * Items reserved on `dayId`, items pending now and the day's charges per caller, read in one
     * MULTI: a claim moves items from pending to used and charges them atomically, so the three
     * always describe the same moment.
     */
    async budget(
      tenant: string,
      dayId: string,
    ): Promise<{ used: number; pending: number; charges: Record<string, number>; scheduled: { requests: number; items: number; nextAt: number | null } }> {
      const k = keys(tenant);
      const [index, digests, collisions] = pendingHashes(k);
      const replies = (await redis.multi().get(k.budget(dayId)).hlen(index).hgetall(k.charges(dayId))
        .zrangebyscore(k.scheduled, '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, SCHEDULED_SHOWN).zcard(k.scheduled)
        .hlen(digests).hlen(collisions).exec()) ?? [];
      for (const [err] of replies) if (err) throw err;
      const due = (replies[3]?.[1] ?? []) as string[];
      const pipe = redis.pipeline();
      for (let i = 0; i < due.length; i += 2) pipe.hget(k.request(due[i]!), 'received');
      const received = due.length > 0 ? ((await pipe.exec()) ?? []).reduce((a, [, n]) => a + Number(n ?? 0), 0) : 0;
      const scheduled = { requests: Number(replies[4]?.[1] ?? 0), items: received, nextAt: due.length > 1 ? Number(due[1]) : null };
      // per caller ('' for requests of no caller), as units
      const charges = chargesOf((replies[2]?.[1] ?? {}) as Record<string, string>);
      // the pending index's three HASHes (keys.ts `pendingHashes`)
      const pending = Number(replies[1]?.[1] ?? 0) + Number(replies[5]?.[1] ?? 0) + Number(replies[6]?.[1] ?? 0);
      return { used: Number(replies[0]?.[1] ?? 0), pending, charges, scheduled };
    },
  };
}
export type RequestStore = ReturnType<typeof createRequestStore>;

/** The budget view sums the lines of at most this many scheduled requests, the next due first. */
const SCHEDULED_SHOWN = 1000;
