import { randomBytes } from 'node:crypto';
import type { Priority } from '@refresh/core';
import type { Redis } from 'ioredis';
import { tenantKeys, tenantOfRequest } from './keys';

export type ItemState = 'pending' | 'deferred' | 'in_flight' | 'submitted' | 'completed' | 'failed' | 'unknown';

/**
 * Instance `s` codes: P pending, F in flight, S submitted, then VOD's verdict (record-results.lua):
 * C completed, V failed by VOD's verdict, U unknown (none before the polling gave up). X is a
 * batch VOD refused or that ran out of attempts (finish-batch.lua): failed as well.
 */
const STATE_OF: Record<string, ItemState> = {
  P: 'pending', F: 'in_flight', S: 'submitted', C: 'completed', V: 'failed', U: 'unknown', X: 'failed',
};
/** states an item reaches only after VOD accepted it, so it has a task id and a submission time */
const AFTER_SUBMISSION = new Set(['S', 'C', 'V', 'U']);

export interface RequestRecord {
  requestId: string;
  tenant: string;
  priority: Priority;
  createdAt: number;
  received: number;
  ingested: number;
  ingestDone: boolean;
  counts: { pending: number; in_flight: number; submitted: number; completed: number; failed: number; unknown: number };
  taskIds: string[];
  taskIdsTotal: number;
}

export interface ItemRecord {
  kind: 'asset_id' | 'url';
  value: string;
  state: ItemState | 'expired';
  task_id?: string;
  submitted_at?: string;
  error?: { code: string; message: string };
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
export function createRequestStore(redis: Redis, prefix: string) {
  const keys = (tenant: string) => tenantKeys(prefix, tenant);

  return {
    /** Appends validated item keys to the request's staging list (not yet visible to workers). */
    async stage(tenant: string, requestId: string, itemKeys: string[], ttlSeconds: number): Promise<void> {
      if (itemKeys.length === 0) return;
      const k = keys(tenant).requestStage(requestId);
      await redis.multi().rpush(k, ...itemKeys).expire(k, ttlSeconds).exec();
    },

    async discard(tenant: string, requestId: string): Promise<void> {
      const k = keys(tenant);
      await redis.del(k.requestStage(requestId), k.request(requestId));
    },

    async create(r: { tenant: string; requestId: string; priority: Priority; received: number; createdAt: number }, ttlSeconds: number): Promise<void> {
      const k = keys(r.tenant);
      await redis
        .multi()
        .hset(k.request(r.requestId), {
          priority: r.priority,
          created_at: r.createdAt,
          received: r.received,
          ingested: 0,
          done: 0,
          pending: 0,
          in_flight: 0,
          submitted: 0,
          completed: 0,
          failed: 0,
          unknown: 0,
        })
        // the stage outlives a slow ingest; it is deleted when coalescing finishes
        .expire(k.requestStage(r.requestId), ttlSeconds)
        .exec();
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
    ): Promise<{ status: 'new' } | { status: 'same'; requestId: string } | { status: 'conflict'; requestId: string }> {
      const k = keys(tenant).idempotency(keyHash);
      const ok = await redis.set(k, `${bodyHash} ${requestId}`, 'EX', ttlSeconds, 'NX');
      if (ok === 'OK') return { status: 'new' };
      const prior = (await redis.get(k)) ?? '';
      const [hash = '', id = ''] = prior.split(' ');
      return hash === bodyHash ? { status: 'same', requestId: id } : { status: 'conflict', requestId: id };
    },

    async replaceIdempotencyKey(tenant: string, keyHash: string, bodyHash: string, requestId: string, ttlSeconds: number): Promise<void> {
      await redis.set(keys(tenant).idempotency(keyHash), `${bodyHash} ${requestId}`, 'EX', ttlSeconds);
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
        counts: {
          pending: n('pending'), in_flight: n('in_flight'), submitted: n('submitted'),
          completed: n('completed'), failed: n('failed'), unknown: n('unknown'),
        },
        taskIds: tasks.sort(),
        taskIdsTotal: taskCount,
      };
    },

    /** A page of the request's unique items, in order of first appearance; cursor is an offset. */
    async items(requestId: string, cursor: number, limit: number): Promise<{ items: ItemRecord[]; next: number | null }> {
      const tenant = tenantOfRequest(requestId);
      if (!tenant) return { items: [], next: null };
      const k = keys(tenant);
      const ids = await redis.lrange(k.requestItems(requestId), cursor, cursor + limit - 1);
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hmget(k.instance(id), 'v', 's', 'k', 'a', 'e', 'm');
      const rows = ids.length ? ((await pipe.exec()) ?? []) : [];
      const items = rows.map(([, row]): ItemRecord => {
        const [v, s, task, at, code, msg] = row as Array<string | null>;
        if (!v) return { kind: 'url', value: '', state: 'expired' };
        // no state field: pending (see coalesce-items.lua)
        const item: ItemRecord = { kind: v.startsWith('a:') ? 'asset_id' : 'url', value: v.slice(2), state: (s && STATE_OF[s]) || 'pending' };
        if (task) item.task_id = task;
        if (s && AFTER_SUBMISSION.has(s) && at) item.submitted_at = new Date(Number(at)).toISOString();
        if (s === 'X' || s === 'V') item.error = { code: code ?? '', message: msg ?? '' };
        return item;
      });
      return { items, next: ids.length === limit ? cursor + limit : null };
    },

    /** Items reserved on `dayId` and items pending now. */
    async budget(tenant: string, dayId: string): Promise<{ used: number; pending: number }> {
      const k = keys(tenant);
      const [used, pending] = await Promise.all([redis.get(k.budget(dayId)), redis.hlen(k.pending)]);
      return { used: Number(used ?? 0), pending };
    },
  };
}
export type RequestStore = ReturnType<typeof createRequestStore>;
