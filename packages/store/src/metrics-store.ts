import { Queue } from 'bullmq';
import type { RedisClient } from './connections';
import { QUEUE_NAMES } from './jobs';
import { parseLedgerDay, type LedgerDay } from './ledger';
import { queuePrefix, tenantKeys } from './keys';
import { parseTenantQueues, queueReadTenantState, withScripts, type TenantQueues } from './scripts';
import { parsePause, type TenantPause } from './tenant-gate';

/** BullMQ job states the metrics report, a fixed set (a label of `refresh_queue_jobs`). */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;
export type JobState = (typeof JOB_STATES)[number];
/**
 * The queues `refresh_queue_jobs` reports. The completions queue is not one: its backlog is the
 * completion outbox (an entry leaves it only when its retire job has run), which the
 * `refresh_completion_outbox_*` gauges report.
 */
export type QueueName = Exclude<keyof typeof QUEUE_NAMES, 'completions'>;

/** used, pending by priority and oldestPendingAt: read-tenant-state.lua, for the budget day asked for */
export interface TenantStateReading extends TenantQueues {
  /** why sending is paused, null while the tenant is sending */
  paused: TenantPause | null;
  /** completed requests whose retire job has not run yet (the completion outbox) */
  unretired: number;
  /** epoch ms the oldest of them completed; null when there are none */
  oldestUnretiredAt: number | null;
  /** units of the budget day asked for charged to each caller ('' for requests of no caller) */
  charges: Record<string, number>;
  /** pending items held by the hot-item debounce */
  held: number;
  /** scheduled requests whose not_before has not come (not coalesced yet) */
  scheduled: number;
}

export interface StateReading {
  tenants: Map<string, TenantStateReading>;
  /** each tenant's spend ledger of the budget day asked for */
  ledgers: Map<string, LedgerDay>;
  jobs: Record<QueueName, Record<JobState, number>>;
}

/**
 * The reads behind the state gauges (budget, backlog, pauses, queue jobs). Every replica reads the
 * same Redis, so every replica reports the same values. One `read` costs one round trip's wait:
 * a pipeline a tenant, written together with BullMQ's count scripts (one a queue).
 */
export function createMetricsStore(redisClient: RedisClient, prefix: string, onError: (err: Error) => void) {
  const redis = withScripts(redisClient);
  const queues = {
    ingest: new Queue(QUEUE_NAMES.ingest, { connection: redis, prefix: queuePrefix(prefix) }),
    dispatch: new Queue(QUEUE_NAMES.dispatch, { connection: redis, prefix: queuePrefix(prefix) }),
    results: new Queue(QUEUE_NAMES.results, { connection: redis, prefix: queuePrefix(prefix) }),
    webhooks: new Queue(QUEUE_NAMES.webhooks, { connection: redis, prefix: queuePrefix(prefix) }),
  };
  for (const q of Object.values(queues)) q.on('error', onError);

  const jobCounts = async (q: Queue): Promise<Record<JobState, number>> => {
    const counts = await q.getJobCounts(...JOB_STATES);
    return Object.fromEntries(JOB_STATES.map((s) => [s, Number(counts[s] ?? 0)])) as Record<JobState, number>;
  };

  return {
    /** `dayId` is each tenant's current budget day (its own time zone). */
    async read(tenants: ReadonlyArray<{ id: string; dayId: string }>): Promise<StateReading> {
      // one pipeline a tenant (its keys share a slot; on Redis Cluster a pipeline may not span
      // slots), all sent at once with BullMQ's count scripts: one round trip's wait
      const readTenant = async (t: { id: string; dayId: string }): Promise<TenantStateReading & { ledger: LedgerDay }> => {
        const k = tenantKeys(prefix, t.id);
        const pipe = redis.pipeline();
        queueReadTenantState(pipe, k, { dayId: t.dayId });
        pipe.hgetall(k.pause);
        pipe.zcard(k.completions);
        pipe.zrange(k.completions, '0', '0', 'WITHSCORES');
        pipe.hgetall(k.charges(t.dayId));
        pipe.zcard(k.held);
        pipe.zcard(k.scheduled);
        pipe.hgetall(k.ledger(t.dayId));
        const rows = (await pipe.exec()) ?? [];
        const reply = (i: number): unknown => {
          const [err, value] = rows[i] ?? [new Error('no reply'), null];
          if (err) throw err;
          return value;
        };
        // its state script, its pause HASH, its outbox's size and oldest entry, the day's charges, held, scheduled and ledger
        const [queues, pause, unretired, oldestEntry] = [parseTenantQueues(reply(0)), reply(1), reply(2), reply(3) as string[]];
        const ledger = parseLedgerDay(t.dayId, reply(7) as Record<string, string>, reply(4) as Record<string, string>);
        return {
          ...queues,
          paused: parsePause(pause as Record<string, string>),
          unretired: Number(unretired),
          oldestUnretiredAt: oldestEntry[1] === undefined ? null : Number(oldestEntry[1]),
          charges: ledger.charges, held: Number(reply(5)), scheduled: Number(reply(6)), ledger,
        };
      };
      const [rows, ingest, dispatch, results, webhooks] = await Promise.all([
        Promise.all(tenants.map(readTenant)),
        jobCounts(queues.ingest),
        jobCounts(queues.dispatch),
        jobCounts(queues.results),
        jobCounts(queues.webhooks),
      ]);
      const out = new Map<string, TenantStateReading>();
      const ledgers = new Map<string, LedgerDay>();
      tenants.forEach((t, i) => {
        const { ledger, ...reading } = rows[i]!;
        out.set(t.id, reading);
        ledgers.set(t.id, ledger);
      });
      return { tenants: out, ledgers, jobs: { ingest, dispatch, results, webhooks } };
    },

    /** Closes the queue handles; the connection is the caller's. */
    async close(): Promise<void> {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
export type MetricsStore = ReturnType<typeof createMetricsStore>;
