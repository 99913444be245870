import { Queue, Worker } from 'bullmq';
import { backoffDelay } from '@refresh/core';
import type { AppConfig } from '@refresh/config';
import {
  QUEUE_NAMES, createDispatchStore, createMetricsStore, createRedis, createTenantGate, queuePrefix,
  type DispatchJob, type IngestJob, type PollJob, type RetireJob,
} from '@refresh/store';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock';
import { resumeTenantsWithNewCredentials } from './credentials';
import { RetryableCallError, createDispatchProcessor } from './dispatch-processor';
import type { Readiness } from './health-server';
import { createIngestProcessor } from './ingest-processor';
import { createWorkerMetrics, type WorkerMetrics } from './metrics';
import { readinessWithPauses } from './readiness';
import { createResultProcessor } from './result-processor';
import { createScheduler } from './scheduler';
import { registerStateGauges } from './state-gauges';
import { vodCaller } from './vod-clients';

/** ms Redis has to answer PING for the worker to count as ready */
const READY_TIMEOUT_MS = 1000;

export interface RefreshWorkerDeps {
  config: AppConfig;
  logger: Logger;
  clock?: Clock;
  /** one per worker: the worker registers its state gauges on it */
  metrics?: WorkerMetrics;
}

/**
 * The refresh worker: one BullMQ Worker coalescing requests, one dispatching batches to VOD, one
 * following accepted batches to VOD's verdict.
 * Any number of these processes may run against the same Redis.
 */
export function createRefreshWorker(deps: RefreshWorkerDeps) {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock(config.env.CLOCK_OFFSET_MS);
  const metrics = deps.metrics ?? createWorkerMetrics();
  const prefix = queuePrefix(config.env.KEY_PREFIX);
  const connections: Redis[] = [];
  const connect = (name: string) => {
    const r = createRedis(config.env.REDIS_URL, 'worker', (err) => logger.warn({ err: err.message, connection: name }, 'redis error'));
    connections.push(r);
    return r;
  };

  const storeConnection = connect('store');
  const store = createDispatchStore(storeConnection, config.env.KEY_PREFIX);
  // pause, throttle, pacing and quota state, on the retrying connection the dispatcher uses
  const gate = createTenantGate(storeConnection, config.env.KEY_PREFIX);
  // scrapes and probes fail fast: during an outage they report it instead of queueing commands
  const probe = createRedis(config.env.REDIS_URL, 'api', (err) => logger.warn({ err: err.message, connection: 'probe' }, 'redis error'));
  connections.push(probe);
  const metricsStore = createMetricsStore(probe, config.env.KEY_PREFIX, (err) => logger.warn({ err: err.message }, 'metrics queue error'));
  registerStateGauges(metrics.registry, { tenants: config.tenants, store: metricsStore, clock, logger });
  // read by /readyz only, on the fail-fast connection like the other probes
  const pauseReader = createTenantGate(probe, config.env.KEY_PREFIX);
  const dispatchQueue = new Queue<DispatchJob>(QUEUE_NAMES.dispatch, { connection: connect('dispatch-queue'), prefix });
  const ingestQueue = new Queue<RetireJob>(QUEUE_NAMES.ingest, { connection: connect('ingest-queue'), prefix });
  const resultsQueue = new Queue<PollJob>(QUEUE_NAMES.results, { connection: connect('results-queue'), prefix });
  const scheduler = createScheduler(dispatchQueue, clock, config.upstream.maxAttempts, ingestQueue, {
    queue: resultsQueue,
    initialDelayMs: config.upstream.pollInitialDelayMs,
  });
  const caller = vodCaller(config, clock, { redis: connect('tokens'), logger });
  const retentionSeconds = Math.round(config.statusTtlDays * 86_400);

  const common = {
    prefix,
    autorun: false,
    stalledInterval: config.worker.stalledIntervalMs,
    lockDuration: config.worker.lockDurationMs,
    // a job whose worker died is always handed on: losing an accepted item is never an option
    maxStalledCount: Number.MAX_SAFE_INTEGER,
  };
  let stopped: Promise<void> | null = null;
  const ingestWorker = new Worker<IngestJob | RetireJob>(
    QUEUE_NAMES.ingest,
    createIngestProcessor({
      store, scheduler, clock, logger, metrics, chunkItems: config.ingest.chunkItems, retentionSeconds,
      stopping: () => stopped !== null,
    }),
    { ...common, connection: connect('ingest-worker'), concurrency: Math.max(1, Math.floor(config.worker.concurrency / 4)) },
  );
  const dispatchWorker = new Worker<DispatchJob>(
    QUEUE_NAMES.dispatch,
    createDispatchProcessor({
      config, store, scheduler, clock, logger, metrics, gate,
      call: caller.call,
      invalidateToken: (tenant) => caller.invalidateToken(tenant),
    }),
    {
      ...common,
      connection: connect('dispatch-worker'),
      concurrency: config.worker.concurrency,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => {
          const delay = backoffDelay(attemptsMade, { baseMs: config.upstream.backoffBaseMs, maxMs: config.upstream.backoffMaxMs });
          const retryAfter = err instanceof RetryableCallError ? (err.retryAfterMs ?? 0) : 0;
          return Math.max(delay, retryAfter);
        },
      },
    },
  );
  const resultsWorker = new Worker<PollJob>(
    QUEUE_NAMES.results,
    createResultProcessor({ config, store, scheduler, clock, logger, metrics, showResult: caller.showResult }),
    { ...common, connection: connect('results-worker'), concurrency: config.worker.concurrency },
  );
  for (const [name, w] of [['ingest', ingestWorker], ['dispatch', dispatchWorker], ['results', resultsWorker]] as const) {
    w.on('failed', (job, err) => {
      if (err instanceof RetryableCallError) return; // logged by the processor
      logger.error({ queue: name, jobId: job?.id, err: err.message }, 'job failed');
    });
    w.on('error', (err) => logger.error({ queue: name, err: err.message }, 'worker error'));
  }

  let started = false;
  return {
    metrics,
    clock,
    store,
    gate,
    async start(): Promise<void> {
      void ingestWorker.run();
      void dispatchWorker.run();
      void resultsWorker.run();
      await Promise.all([ingestWorker.waitUntilReady(), dispatchWorker.waitUntilReady(), resultsWorker.waitUntilReady()]);
      for (const tenant of await resumeTenantsWithNewCredentials(config.tenants, gate, logger)) {
        // jobs that waited for the probe go now
        for (const job of await dispatchQueue.getDelayed(0, 999)) {
          if (job.data.tenant === tenant) await job.promote().catch(() => undefined);
        }
        await scheduler.now(tenant);
      }
      started = true;
      logger.info({ tenants: config.tenants.map((t) => t.id) }, 'refresh worker started');
    },
    /**
     * Ready: started and not stopping (which implies its config loaded and validated, as the
     * worker cannot be built without one), and Redis answers PING within READY_TIMEOUT_MS.
     */
    async ready(): Promise<boolean> {
      if (!started || stopped) return false;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS)));
      const pong = probe.ping().then((r) => r === 'PONG', () => false);
      return Promise.race([pong, late]).finally(() => clearTimeout(timer));
    },
    /** ready(), with the tenants paused now as details; a paused tenant leaves the worker ready */
    readiness(): Promise<Readiness> {
      return readinessWithPauses(this.ready(), pauseReader, config.tenants.map((t) => t.id), READY_TIMEOUT_MS);
    },
    /** Stops taking jobs, lets calls in flight finish, then closes queues and Redis. Idempotent. */
    stop(): Promise<void> {
      stopped ??= (async () => {
        await Promise.all([ingestWorker.close(), dispatchWorker.close(), resultsWorker.close()]);
        await Promise.all([dispatchQueue.close(), resultsQueue.close(), metricsStore.close()]);
        caller.close();
        await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
      })();
      return stopped;
    },
  };
}
export type RefreshWorker = ReturnType<typeof createRefreshWorker>;
