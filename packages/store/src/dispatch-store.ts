import type { ItemKind, Priority } from '@refresh/core';
import type { RedisClient } from './connections';
import { createCompletionStore } from './completion-store';
import { itemDigest, pendingCount, tenantKeys } from './keys';
import { withScripts } from './scripts';

const PRIORITY_CODE: Record<Priority, string> = { high: 'h', normal: 'n', low: 'l' };

export type ClaimResult =
  | { action: 'existing' }
  | { action: 'idle' }
  | { action: 'wait'; until: number }
  /** today's budget is spent; or, with `until`, only the urgent reserve is left and only normal and low items wait, until its release */
  | { action: 'budget'; until?: number }
  /** a batch is ready, but the tenant's pace lets its call leave only at `until`: nothing claimed */
  | { action: 'pace'; until: number }
  | { action: 'send'; kind: ItemKind; more: number; ids: string[]; values: string[] };

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
 * VOD's verdict on a submitted item: refreshed, refused (FAILED), or none before polling gave up;
 * or, for a URL its asset covered, `not_covered`: the asset's final verdict does not list it, so
 * it was not refreshed and is queued again as a URL (a cover miss).
 */
export type ItemVerdict = 'completed' | 'failed_vod' | 'unknown' | 'not_covered';
const VERDICT_CODE: Record<ItemVerdict, string> = { completed: 'C', failed_vod: 'V', unknown: 'U', not_covered: 'R' };

export interface RecordedResults {
  /** items this call moved out of `submitted`, per final verdict */
  recorded: Record<Exclude<ItemVerdict, 'not_covered'>, number>;
  /** the batch's items still submitted (no final verdict yet) */
  open: number;
  completedRequests: string[];
  /** covered URLs queued again as URLs (`not_covered`); only when there are any */
  requeued?: number;
}

/**
 * What a failed batch's units went on, for the spend ledger: VOD refused its items, or the last
 * attempt's outcome is unknown, or its budget went back (holdBudget released it).
 */
export type FailedUse = 'refused' | 'unknown' | 'refunded';

export interface BudgetContext {
  dayId: string;
  dailyLimit: number;
  /** seconds a day's budget counter is kept; longer than a day so late refunds find it */
  ttlSeconds: number;
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
     */
    async coalesce(
      tenant: string,
      requestId: string,
      priority: Priority,
      cursor: number,
      rawCount: number,
      itemKeys: string[],
      now: number,
      /** the tenant's minRefreshIntervalMs: an item claimed less than this ago is held until it has passed */
      minRefreshIntervalMs = 0,
      /** the budget day the ledger counts this chunk's savings on */
      dayId = '',
      /** with asset cover: the asset id of each item key's URL, or null (asset ids, URLs of none) */
      assetIds?: ReadonlyArray<string | null>,
      /** bytes of the raw staged lines this chunk covers: they leave the tenant's staged bytes */
      rawBytes = 0,
    ): Promise<{ created: number; linked: number; duplicates: number; held?: number; covered?: number } | null | 'canceled'> {
      const k = keys(tenant);
      // the keys, then their digests, then (with cover) their asset ids: the script reads them in place
      const items = [...itemKeys, ...itemKeys.map(itemDigest), ...(assetIds ? itemKeys.map((_, i) => assetIds[i] ?? '') : [])];
      const res = (await redis.coalesceItems(
        k.pending, k.seq, k.request(requestId), k.requestItems(requestId), k.requestSeen(requestId),
        k.queue('asset_id', priority), k.queue('url', priority), k.staged, k.lanes, k.lastSent, k.held, k.ledger(dayId), k.stagedBytes,
        requestId, PRIORITY_CODE[priority], now, cursor, rawCount, k.instancePrefix, minRefreshIntervalMs, rawBytes, assetIds ? 1 : 0, ...items,
      )) as number[];
      if (res[0] === -1) return null;
      if (res[0] === -2) return 'canceled';
      // `held` (created but held by the debounce) and `covered` only when there are any
      return {
        created: res[0] ?? 0, linked: res[1] ?? 0, duplicates: res[2] ?? 0,
        ...(res[3] ? { held: res[3] } : {}), ...(res[4] ? { covered: res[4] } : {}),
      };
    },

    /**
     * Marks the request coalesced; true when it completed right there (all items final), which
     * also puts it in the completion outbox as of `now` (epoch ms, the wall clock if not given).
     */
    async finishIngest(tenant: string, requestId: string, ttlSeconds: number, now = Date.now()): Promise<boolean> {
      const k = keys(tenant);
      return 1 === Number(await redis.finishIngest(
        k.request(requestId), k.requestSeen(requestId), k.requestStage(requestId), k.staged, k.completions, k.stagedBytes,
        ttlSeconds, now, requestId,
      ));
    },

    async claim(
      tenant: string,
      batchId: string,
      opts: {
        now: number;
        lingerMs: number;
        maxItems: number;
        /**
         * The tenant's pace (maxCallsPerSecond): the claim takes the call slot its batch leaves
         * in, so a claimed batch never waits for one. Absent: no slot is taken (store tests).
         */
        callsPerSecond?: number;
        /**
         * The urgent reserve: until `releaseAt` (epoch ms), normal and low items may not take
         * today's used count past dailyLimit - units. Absent: no reserve.
         */
        reserve?: { units: number; releaseAt: number };
        /** each caller's weight in the fair sharing of a priority between callers' lanes (absent: 1) */
        weights?: Readonly<Record<string, number>>;
        /** the tenant's minRefreshIntervalMs: claims record when each item went, and queue held items when due */
        minRefreshIntervalMs?: number;
      } & BudgetContext,
    ): Promise<ClaimResult> {
      const k = keys(tenant);
      const perSecond = opts.callsPerSecond ?? 0;
      const res = (await redis.claimBatch(
        k.pending, k.budget(opts.dayId), k.batch(batchId), ...k.allQueues(), k.rate, k.lanes, k.fair, k.charges(opts.dayId),
        k.lastSent, k.held, k.ledger(opts.dayId),
        opts.now, opts.lingerMs, opts.maxItems, opts.dailyLimit, opts.ttlSeconds,
        k.instancePrefix, k.requestPrefix, batchId, opts.dayId, perSecond, Math.max(1, Math.ceil(perSecond)),
        opts.reserve?.units ?? 0, opts.reserve?.releaseAt ?? 0, opts.minRefreshIntervalMs ?? 0, ...Object.entries(opts.weights ?? {}).flat(),
      )) as Array<string | number>;
      switch (res[0]) {
        case 'pace': return { action: 'pace', until: Number(res[1]) };
        case 'existing': return { action: 'existing' };
        case 'idle': return { action: 'idle' };
        case 'budget': return res[1] === undefined ? { action: 'budget' } : { action: 'budget', until: Number(res[1]) };
        case 'wait': return { action: 'wait', until: Number(res[1]) };
        default: {
          const ids: string[] = [];
          const values: string[] = [];
          for (let i = 3; i < res.length; i += 2) {
            ids.push(String(res[i]));
            values.push(String(res[i + 1]).slice(2));
          }
          return { action: 'send', kind: res[1] === 'a' ? 'asset_id' : 'url', more: Number(res[2]), ids, values };
        }
      }
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

    async beginAttempt(tenant: string, batchId: string, budget: BudgetContext): Promise<'ok' | 'budget' | 'done' | 'missing'> {
      const k = keys(tenant);
      const res = (await redis.beginAttempt(
        k.batch(batchId), k.budget(budget.dayId), k.charges(budget.dayId), k.ledger(budget.dayId),
        budget.dailyLimit, budget.ttlSeconds, budget.dayId, k.instancePrefix, k.requestPrefix, k.ledgerPrefix,
      )) as string[];
      return res[0] as 'ok' | 'budget' | 'done' | 'missing';
    },

    /** The call never left: keep the budget for the next attempt, or give it back to its day. */
    async holdBudget(tenant: string, batchId: string, batchDay: string, release: boolean): Promise<number> {
      const k = keys(tenant);
      return Number(await redis.holdBudget(
        k.batch(batchId), k.budget(batchDay), k.charges(batchDay), k.ledger(batchDay), release ? 1 : 0, k.instancePrefix, k.requestPrefix,
      ));
    },

    /**
     * The batch waits for the budget reset `until`: its items show as deferred, not in flight,
     * until endDeferral. Budget is not touched. Nothing happens to a missing or finished batch.
     */
    async deferBatch(tenant: string, batchId: string, until: number): Promise<number> {
      const k = keys(tenant);
      return Number(await redis.deferBatch(k.batch(batchId), until, k.instancePrefix, k.requestPrefix));
    },

    /** The batch's wait is over, just before its next call: its items are in flight again. */
    async endDeferral(tenant: string, batchId: string): Promise<number> {
      const k = keys(tenant);
      return Number(await redis.deferBatch(k.batch(batchId), 0, k.instancePrefix, k.requestPrefix));
    },

    async finishBatch(
      tenant: string,
      batchId: string,
      /** `use`: what a failed batch's units went on (the spend ledger); none is recorded when absent */
      outcome: { type: 'submitted'; taskId: string } | { type: 'failed'; code: string; message: string; use?: FailedUse },
      now: number,
      ttlSeconds: number,
    ): Promise<{ items: number; completedRequests: string[]; requeued?: number }> {
      const k = keys(tenant);
      const args =
        outcome.type === 'submitted'
          ? ['S', outcome.taskId, '', '']
          : ['X', '', outcome.code, outcome.message.slice(0, 1000)];
      const use = outcome.type === 'failed' && outcome.use !== undefined && outcome.use !== 'refunded' ? outcome.use : '';
      const res = (await redis.finishBatch(
        k.batch(batchId), k.completions, k.pending, ...args, now, ttlSeconds, k.instancePrefix, k.requestPrefix, use, k.ledgerPrefix,
      )) as Array<string | number>;
      // `requeued`: covered URLs sent back as URLs when VOD refused their asset ids; only when there are any
      const requeued = Number(res[1] ?? 0);
      return { items: Number(res[0] ?? 0), completedRequests: res.slice(2).map(String), ...(requeued ? { requeued } : {}) };
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
      const k = keys(tenant);
      const pairs = verdicts.flatMap(({ id, verdict }) => [id, VERDICT_CODE[verdict]]);
      const res = (await redis.recordResults(
        k.batch(batchId), k.completions, k.pending, opts.now, opts.ttlSeconds, k.instancePrefix, k.requestPrefix,
        opts.failure.code, opts.failure.message.slice(0, 1000), k.ledgerPrefix, ...pairs,
      )) as Array<string | number>;
      return {
        recorded: { completed: Number(res[0] ?? 0), failed_vod: Number(res[1] ?? 0), unknown: Number(res[2] ?? 0) },
        open: Number(res[3] ?? 0),
        completedRequests: res.slice(5).map(String),
        ...(Number(res[4]) > 0 ? { requeued: Number(res[4]) } : {}),
      };
    },

    /** Cuts a refused batch in two new batches (ids `<batch>.1`, `<batch>.2`); [] when it cannot. */
    async splitBatch(tenant: string, batchId: string, now: number): Promise<string[]> {
      const k = keys(tenant);
      const res = (await redis.splitBatch(k.batch(batchId), `${batchId}.1`, `${batchId}.2`, now, k.instancePrefix, k.batchPrefix, k.ledgerPrefix)) as string[];
      return res.map(String);
    },

    async hasPending(tenant: string): Promise<boolean> {
      return (await pendingCount(redis, keys(tenant))) > 0;
    },
  };
}
export type DispatchStore = ReturnType<typeof createDispatchStore>;
