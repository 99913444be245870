import type { RedisClient } from './connections';
import { tenantKeys } from './keys';
import { markRetired, queueMarkRetired, withScripts } from './scripts';

/** A request's completion in the outbox (keys.ts `completions`), until its retire job has run. */
export interface PendingCompletion {
  requestId: string;
  /** which completion of the request (requeue-failed.lua reopens requests) */
  gen: number;
  /** epoch ms the request completed */
  completedAt: number;
}

export type CompletionState = 'due' | 'retired' | 'superseded' | 'gone';

/** The request fields completionState reads, in the order stateOf takes them. */
const STATE_FIELDS = ['created_at', 'gen', 'retired'] as const;

function stateOf([created, current, retired]: ReadonlyArray<string | null>, gen: number): CompletionState {
  if ((created ?? null) === null) return 'gone';
  if (Number(current ?? 0) !== gen) return 'superseded';
  return (retired ?? null) !== null && Number(retired) === gen ? 'retired' : 'due';
}

/** Runs a pipeline; the first failed command fails it all. */
async function execAll(pipe: { exec(): Promise<Array<[Error | null, unknown]> | null> }): Promise<unknown[]> {
  return ((await pipe.exec()) ?? []).map(([err, res]) => {
    if (err) throw err;
    return res;
  });
}

/**
 * Retiring completed requests: every script that completes a request also puts the completion
 * in its tenant's outbox (keys.ts `completions`); relayCompletions (jobs.ts) reads the outbox
 * and adds a retire job per completion, which starts the retention of its item records, queues
 * its webhook and marks it retired (mark-retired.lua), which takes it out. Part of the dispatch
 * store.
 */
export function createCompletionStore(redisClient: RedisClient, prefix: string) {
  const redis = withScripts(redisClient);
  const keys = (tenant: string) => tenantKeys(prefix, tenant);

  return {
    /** Starts the retention period of a completed request's item records, a page at a time. */
    async retireRequestItems(tenant: string, requestId: string, ttlSeconds: number, pageSize = 1000): Promise<number> {
      const k = keys(tenant);
      let n = 0;
      for (let from = 0; ; from += pageSize) {
        const ids = await redis.lrange(k.requestItems(requestId), from, from + pageSize - 1);
        if (ids.length === 0) break;
        const pipe = redis.pipeline();
        for (const id of ids) pipe.expire(k.instance(id), ttlSeconds).expire(`${k.instance(id)}:l`, ttlSeconds);
        await pipe.exec();
        n += ids.length;
        if (ids.length < pageSize) break;
      }
      return n;
    },

    /** Whether the request asked for a completion webhook (callback_url). */
    async hasCallback(tenant: string, requestId: string): Promise<boolean> {
      return 1 === (await redis.hexists(keys(tenant).request(requestId), 'callback_url'));
    },

    /** Which completion of the request comes next (it goes up when an admin requeue reopens it). */
    async requestGeneration(tenant: string, requestId: string): Promise<number> {
      return Number((await redis.hget(keys(tenant).request(requestId), 'gen')) ?? 0);
    },

    /**
     * Whether the retire job of completion `gen` still has work to do: 'due' until it is marked
     * retired; 'retired' after; 'superseded' once an admin requeue reopened the request (which
     * requeue-failed.lua allows only after this completion was retired); 'gone' when the
     * request's record has expired. A job run a second time (a relay re-added it after the
     * first was removed) finds it no longer due.
     */
    async completionState(tenant: string, requestId: string, gen: number): Promise<CompletionState> {
      return stateOf(await redis.hmget(keys(tenant).request(requestId), ...STATE_FIELDS), gen);
    },

    /**
     * Of a page of outbox entries, those whose retire job is still due (completionState), in
     * their order; the others (retired by a worker of an earlier version, superseded, gone) only
     * leave the outbox (markRetired). One pipeline reads every state, one clears the others.
     */
    async dueCompletions(tenant: string, page: readonly PendingCompletion[]): Promise<PendingCompletion[]> {
      const k = keys(tenant);
      const reads = redis.pipeline();
      for (const c of page) reads.hmget(k.request(c.requestId), ...STATE_FIELDS);
      const rows = await execAll(reads);
      const states = page.map((c, i) => stateOf(rows[i] as Array<string | null>, c.gen));
      const settled = page.filter((_, i) => states[i] !== 'due');
      if (settled.length > 0) {
        const clears = redis.pipeline();
        for (const c of settled) queueMarkRetired(clears, k, { requestId: c.requestId, gen: c.gen });
        await execAll(clears);
      }
      return page.filter((_, i) => states[i] === 'due');
    },

    /**
     * The retire job of completion `gen` has run: an admin requeue may reopen the request now,
     * and the completion leaves the outbox.
     */
    async markRetired(tenant: string, requestId: string, gen: number): Promise<void> {
      await markRetired(redis, keys(tenant), { requestId, gen });
    },

    /**
     * Completions still in the tenant's outbox that happened before `before` (epoch ms;
     * Infinity: all), oldest first, a page at a time. Entries retired while the pages are read
     * shift the later ones, so a few may be missed; the next reader sees them.
     */
    async *completionsBefore(tenant: string, before: number, pageSize = 500): AsyncGenerator<PendingCompletion[]> {
      const k = keys(tenant);
      const max = Number.isFinite(before) ? `(${before}` : '+inf';
      for (let offset = 0; ; offset += pageSize) {
        const flat = await redis.zrangebyscore(k.completions, '-inf', max, 'WITHSCORES', 'LIMIT', offset, pageSize);
        const page: PendingCompletion[] = [];
        for (let i = 0; i < flat.length; i += 2) {
          const member = flat[i]!;
          const at = member.lastIndexOf(':');
          page.push({ requestId: member.slice(0, at), gen: Number(member.slice(at + 1)), completedAt: Number(flat[i + 1]) });
        }
        if (page.length > 0) yield page;
        if (page.length < pageSize) return;
      }
    },
  };
}
export type CompletionStore = ReturnType<typeof createCompletionStore>;
