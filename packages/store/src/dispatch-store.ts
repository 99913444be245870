import { PRIORITIES, type ItemKind, type Priority } from '@refresh/core';
import type { Redis } from 'ioredis';
import { tenantKeys } from './keys';
import { withScripts } from './scripts';

const PRIORITY_CODE: Record<Priority, string> = { high: 'h', normal: 'n', low: 'l' };

export type ClaimResult =
  | { action: 'existing' }
  | { action: 'idle' }
  | { action: 'wait'; until: number }
  | { action: 'budget' }
  | { action: 'send'; kind: ItemKind; more: number; ids: string[]; values: string[] };

export interface BatchRecord {
  batchId: string;
  kind: ItemKind;
  ids: string[];
  values: string[];
  state: 'claimed' | 'sending' | 'done';
  day: string;
  attempts: number;
}

export interface BudgetContext {
  dayId: string;
  dailyLimit: number;
  /** seconds a day's budget counter is kept; longer than a day so late refunds find it */
  ttlSeconds: number;
}

/** The worker's side of the store: coalescing, claiming, spending budget, recording outcomes. */
export function createDispatchStore(redisClient: Redis, prefix: string) {
  const redis = withScripts(redisClient);
  const keys = (tenant: string) => tenantKeys(prefix, tenant);

  return {
    /** Reads staged lines [from, from+count) of a request. */
    async readStage(tenant: string, requestId: string, from: number, count: number): Promise<string[]> {
      return redis.lrange(keys(tenant).requestStage(requestId), from, from + count - 1);
    },

    async ingestedSoFar(tenant: string, requestId: string): Promise<{ ingested: number; received: number; done: boolean } | null> {
      const [ingested, received, done] = await redis.hmget(keys(tenant).request(requestId), 'ingested', 'received', 'done');
      if (received === null) return null;
      return { ingested: Number(ingested ?? 0), received: Number(received), done: done === '1' };
    },

    /** Applies one chunk; `cursor` is where it starts. Returns null if it was applied already. */
    async coalesce(
      tenant: string,
      requestId: string,
      priority: Priority,
      cursor: number,
      rawCount: number,
      itemKeys: string[],
      now: number,
    ): Promise<{ created: number; linked: number; duplicates: number } | null> {
      const k = keys(tenant);
      const res = (await redis.coalesceItems(
        k.pending, k.seq, k.request(requestId), k.requestItems(requestId), k.requestSeen(requestId),
        k.queue('asset_id', priority), k.queue('url', priority),
        requestId, PRIORITY_CODE[priority], now, cursor, rawCount, k.instancePrefix, ...itemKeys,
      )) as number[];
      if (res[0] === -1) return null;
      return { created: res[0] ?? 0, linked: res[1] ?? 0, duplicates: res[2] ?? 0 };
    },

    async finishIngest(tenant: string, requestId: string, ttlSeconds: number): Promise<void> {
      const k = keys(tenant);
      await redis.finishIngest(
        k.request(requestId), k.requestItems(requestId), k.requestTasks(requestId),
        k.requestSeen(requestId), k.requestStage(requestId), ttlSeconds,
      );
    },

    async claim(
      tenant: string,
      batchId: string,
      opts: { now: number; lingerMs: number; maxItems: number } & BudgetContext,
    ): Promise<ClaimResult> {
      const k = keys(tenant);
      const res = (await redis.claimBatch(
        k.pending, k.budget(opts.dayId), k.batch(batchId), ...k.allQueues(),
        opts.now, opts.lingerMs, opts.maxItems, opts.dailyLimit, opts.ttlSeconds,
        k.instancePrefix, k.requestPrefix, batchId, opts.dayId,
      )) as Array<string | number>;
      switch (res[0]) {
        case 'existing': return { action: 'existing' };
        case 'idle': return { action: 'idle' };
        case 'budget': return { action: 'budget' };
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
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hget(k.instance(id), 'v');
      const values = ((await pipe.exec()) ?? []).map(([, v]) => String(v ?? '').slice(2));
      return {
        batchId,
        kind: h.kind === 'a' ? 'asset_id' : 'url',
        ids,
        values,
        state: (h.st ?? 'claimed') as BatchRecord['state'],
        day: h.day ?? '',
        attempts: Number(h.attempts ?? 0),
      };
    },

    async beginAttempt(tenant: string, batchId: string, budget: BudgetContext): Promise<'ok' | 'budget' | 'done' | 'missing'> {
      const k = keys(tenant);
      const res = (await redis.beginAttempt(k.batch(batchId), k.budget(budget.dayId), budget.dailyLimit, budget.ttlSeconds, budget.dayId)) as string[];
      return res[0] as 'ok' | 'budget' | 'done' | 'missing';
    },

    /** The call never left: keep the budget for the next attempt, or give it back to its day. */
    async holdBudget(tenant: string, batchId: string, batchDay: string, release: boolean): Promise<number> {
      const k = keys(tenant);
      return Number(await redis.holdBudget(k.batch(batchId), k.budget(batchDay), release ? 1 : 0));
    },

    async finishBatch(
      tenant: string,
      batchId: string,
      outcome: { type: 'submitted'; taskId: string } | { type: 'failed'; code: string; message: string },
      now: number,
      ttlSeconds: number,
    ): Promise<number> {
      const k = keys(tenant);
      const args =
        outcome.type === 'submitted'
          ? ['S', outcome.taskId, '', '']
          : ['X', '', outcome.code, outcome.message.slice(0, 1000)];
      return Number(await redis.finishBatch(k.batch(batchId), ...args, now, ttlSeconds, k.instancePrefix, k.requestPrefix));
    },

    /** Pending count per (kind, priority), for scheduling hints and metrics. */
    async pendingCounts(tenant: string): Promise<Record<ItemKind, Record<Priority, number>>> {
      const k = keys(tenant);
      const pipe = redis.pipeline();
      const order: Array<[ItemKind, Priority]> = [];
      for (const kind of ['asset_id', 'url'] as ItemKind[]) for (const p of PRIORITIES) { order.push([kind, p]); pipe.llen(k.queue(kind, p)); }
      const res = (await pipe.exec()) ?? [];
      const out = { asset_id: { high: 0, normal: 0, low: 0 }, url: { high: 0, normal: 0, low: 0 } };
      res.forEach(([, n], i) => { const [kind, p] = order[i]!; out[kind][p] = Number(n); });
      return out;
    },
  };
}
export type DispatchStore = ReturnType<typeof createDispatchStore>;
