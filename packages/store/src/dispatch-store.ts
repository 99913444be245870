import type { ItemKind, Priority } from '@refresh/core';
import type { RedisClient } from './connections';
import { createCompletionStore } from './completion-store';
import { isPreparedChunk, prepareChunk, type PreparedChunk } from './coalesce-chunk';
import { pendingCount, tenantKeys } from './keys';
import {
  beginAttempt, claimBatch, coalesceItems, deferBatch, finishBatch, finishIngest, holdBudget, recordResults, splitBatch, withScripts,
  type AttemptStart, type BatchOutcome, type BudgetContext, type ClaimOptions, type ClaimResult, type CoalescedChunk, type FinishedBatch,
  type ItemVerdict, type RecordedResults,
} from './scripts';

export type { BudgetContext, ClaimResult, FailedUse, ItemVerdict, RecordedResults } from './scripts';

export interface BatchRecord {
  batchId: string;
  kind: ItemKind;
  /** what is sent: one unit each */
  ids: string[];
  values: string[];
  /** URLs the batch's asset ids cover (asset cover): instance, its normalised URL, its asset id */
  covered: Array<{ id: string; url: string; assetId: string }>;
  /** epoch ms each item entered its tenant's pending queue (instance `t`); NaN if it expired */
  enqueuedAt: number[];
  state: 'claimed' | 'sending' | 'done';
  /** epoch ms of the budget reset it waits for (defer-batch.lua); absent while it is not waiting */
  waitingUntil?: number;
  day: string;
  attempts: number;
  /** once done: VOD's task id when it was accepted, with the time that was recorded */
  taskId?: string;
  doneAt?: number;
  /** once split: the two batches its items moved to */
  splitInto?: string[];
}

/** Every item of a batch: what is sent, then the URLs its asset ids cover. */
export function batchItemIds(batch: Pick<BatchRecord, 'ids' | 'covered'>): string[] {
  return [...batch.ids, ...batch.covered.map((c) => c.id)];
}

/**
 * The worker's side of the store: coalescing, claiming, spending budget, recording outcomes, and
 * retiring completed requests (completion-store.ts).
 */
export function createDispatchStore(redisClient: RedisClient, prefix: string) {
  const redis = withScripts(redisClient);
  const keys = (tenant: string) => tenantKeys(prefix, tenant);

  return {
    ...createCompletionStore(redis, prefix),

    /**
     * The traceparents of the requests the instances `ids` serve (their first request and the
     * linked ones, as includes/requests-of.lua reads them), each once, at most `max` requests
     * looked at. Requests recorded while tracing was off have none. Only read when tracing is
     * on: spans of a call or a poll link to these.
     */
    async requestTraceparents(tenant: string, ids: readonly string[], max: number): Promise<string[]> {
      if (ids.length === 0) return [];
      const k = keys(tenant);
      const pipe = redis.pipeline();
      for (const id of ids) pipe.smembers(`${k.instance(id)}:l`).hget(k.instance(id), 'r');
      const requests = new Set<string>();
      for (const [, reply] of (await pipe.exec()) ?? []) {
        for (const r of Array.isArray(reply) ? reply : [reply]) if (typeof r === 'string' && requests.size < max) requests.add(r);
      }
      if (requests.size === 0) return [];
      const reads = redis.pipeline();
      for (const r of requests) reads.hget(k.request(r), 'tp');
      return ((await reads.exec()) ?? []).map(([, tp]) => tp).filter((tp): tp is string => typeof tp === 'string' && tp !== '');
    },

    /** Reads staged lines [from, from+count) of a request. */
    async readStage(tenant: string, requestId: string, from: number, count: number): Promise<string[]> {
      return redis.lrange(keys(tenant).requestStage(requestId), from, from + count - 1);
    },

    async ingestedSoFar(
      tenant: string,
      requestId: string,
    ): Promise<{ ingested: number; received: number; done: boolean; notBefore: number | null } | null> {
      const [ingested, received, done, nb] = await redis.hmget(keys(tenant).request(requestId), 'ingested', 'received', 'done', 'nb');
      if (received === null) return null;
      return { ingested: Number(ingested ?? 0), received: Number(received), done: done === '1', notBefore: nb === null ? null : Number(nb) };
    },

    /** A scheduled request's ingest has started: the budget view no longer counts it as scheduled. */
    async unschedule(tenant: string, requestId: string): Promise<void> {
      await redis.zrem(keys(tenant).scheduled, requestId);
    },

    /**
     * Applies one chunk; `cursor` is where it starts. Returns null if it was applied already, and
     * 'canceled' once an admin canceled the request: its remaining lines are never coalesced.
     * `items` are the chunk's item keys, or the same prepared ahead (`prepareChunk`, with their
     * asset ids): a worker prepares the next chunk while Redis runs this one's script, so that
     * Redis does not wait for it.
     */
    async coalesce(
      tenant: string,
      requestId: string,
      priority: Priority,
      cursor: number,
      rawCount: number,
      items: readonly string[] | PreparedChunk,
      now: number,
      /** the tenant's minRefreshIntervalMs: an item claimed less than this ago is held until it has passed */
      minRefreshIntervalMs = 0,
      /** the budget day the ledger counts this chunk's savings on */
      dayId = '',
      /** with asset cover and item keys not prepared: the asset id of each item key's URL, or null (asset ids, URLs of none) */
      assetIds?: ReadonlyArray<string | null>,
      /** bytes of the raw staged lines this chunk covers: they leave the tenant's staged bytes */
      rawBytes = 0,
    ): Promise<CoalescedChunk | null | 'canceled'> {
      if (isPreparedChunk(items) && assetIds) throw new Error('coalesce: a prepared chunk carries its asset ids');
      const chunk = isPreparedChunk(items) ? items : prepareChunk(items, assetIds);
      return coalesceItems(redis, keys(tenant), { requestId, priority, cursor, rawCount, chunk, now, minRefreshIntervalMs, dayId, rawBytes });
    },

    /**
     * Marks the request coalesced; true when it completed right there (all items final), which
     * also puts it in the completion outbox as of `now` (epoch ms, the wall clock if not given).
     */
    async finishIngest(tenant: string, requestId: string, ttlSeconds: number, now = Date.now()): Promise<boolean> {
      return finishIngest(redis, keys(tenant), { requestId, ttlSeconds, now });
    },

    async claim(tenant: string, batchId: string, opts: ClaimOptions): Promise<ClaimResult> {
      return claimBatch(redis, keys(tenant), { ...opts, batchId });
    },

    async batch(tenant: string, batchId: string): Promise<BatchRecord | null> {
      const k = keys(tenant);
      const h = await redis.hgetall(k.batch(batchId));
      if (!h.ids) return null;
      const ids = h.ids.split(',');
      const coveredIds = h.cov ? h.cov.split(',') : [];
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hmget(k.instance(id), 'v', 't');
      for (const id of coveredIds) pipe.hmget(k.instance(id), 'v', 'cv');
      const replies = ((await pipe.exec()) ?? []).map(([, row]) => (row ?? []) as Array<string | null>);
      const rows = replies.slice(0, ids.length);
      return {
        batchId,
        kind: h.kind === 'a' ? 'asset_id' : 'url',
        ids,
        values: rows.map(([v]) => String(v ?? '').slice(2)),
        covered: coveredIds.map((id, i) => {
          const [v, cv] = replies[ids.length + i] ?? [];
          return { id, url: String(v ?? '').slice(2), assetId: cv ?? '' };
        }),
        enqueuedAt: rows.map(([, t]) => (t ? Number(t) : Number.NaN)),
        state: (h.st ?? 'claimed') as BatchRecord['state'],
        ...(h.wait ? { waitingUntil: Number(h.wait) } : {}),
        day: h.day ?? '',
        attempts: Number(h.attempts ?? 0),
        ...(h.outcome === 'S' && h.task ? { taskId: h.task, doneAt: Number(h.done_at ?? 0) } : {}),
        ...(h.split ? { splitInto: h.split.split(',') } : {}),
      };
    },

    async beginAttempt(tenant: string, batchId: string, budget: BudgetContext): Promise<AttemptStart> {
      return beginAttempt(redis, keys(tenant), { ...budget, batchId });
    },

    /** The call never left: keep the budget for the next attempt, or give it back to its day. */
    async holdBudget(tenant: string, batchId: string, batchDay: string, release: boolean): Promise<number> {
      return holdBudget(redis, keys(tenant), { batchId, batchDay, release });
    },

    /**
     * The batch waits for the budget reset `until`: its items show as deferred, not in flight,
     * until endDeferral. Budget is not touched. Nothing happens to a missing or finished batch.
     */
    async deferBatch(tenant: string, batchId: string, until: number): Promise<number> {
      return deferBatch(redis, keys(tenant), { batchId, until });
    },

    /** The batch's wait is over, just before its next call: its items are in flight again. */
    async endDeferral(tenant: string, batchId: string): Promise<number> {
      return deferBatch(redis, keys(tenant), { batchId, until: 0 });
    },

    async finishBatch(tenant: string, batchId: string, outcome: BatchOutcome, now: number, ttlSeconds: number): Promise<FinishedBatch> {
      return finishBatch(redis, keys(tenant), { batchId, outcome, now, ttlSeconds });
    },

    /**
     * Records VOD's verdicts on a submitted batch's items (record-results.lua): only items still
     * submitted change, so a poll run twice changes nothing. Items without a verdict stay
     * submitted; `open` counts them. Requests it completed start their retention (retire them).
     */
    async recordResults(
      tenant: string,
      batchId: string,
      verdicts: ReadonlyArray<{ id: string; verdict: ItemVerdict }>,
      opts: { now: number; ttlSeconds: number; failure: { code: string; message: string } },
    ): Promise<RecordedResults> {
      return recordResults(redis, keys(tenant), { batchId, verdicts, ...opts });
    },

    /** Cuts a refused batch in two new batches (ids `<batch>.1`, `<batch>.2`); [] when it cannot. */
    async splitBatch(tenant: string, batchId: string, now: number): Promise<string[]> {
      return splitBatch(redis, keys(tenant), { batchId, now });
    },

    async hasPending(tenant: string): Promise<boolean> {
      return (await pendingCount(redis, keys(tenant))) > 0;
    },
  };
}
export type DispatchStore = ReturnType<typeof createDispatchStore>;
