import { Queue, Worker } from 'bullmq';
import { backoffDelay } from '@refresh/core';
import type { AppConfig } from '@refresh/config';
import {
  QUEUE_NAMES, checkMemoryPolicy, createCallerWebhookSlots, createDispatchStore, createMetricsStore, createRedis, createRequestStore,
  createTenantGate, queuePrefix, type DispatchJob, type IngestJob, type PollJob, type RetireJob, type WebhookJob,
} from '@refresh/store';
import type { RedisClient } from '@refresh/store';
import type { Logger } from 'pino';
import { queueTelemetry } from '@refresh/telemetry';
import { systemClock, type Clock } from './clock';
import { createCompletionRelay } from './jobs/completion-relay';
import { createCompletionsProcessor } from './processors/completions-processor';
import { resumeTenantsWithNewCredentials } from './upstream/credentials';
import { RetryableCallError, createDispatchProcessor } from './processors/dispatch-processor';
import type { Readiness } from './ops/health-server';
import { createIngestProcessor, type CoalescingRules } from './processors/ingest-processor';
import { createWorkerMetrics, type WorkerMetrics } from './ops/metrics';
import { readinessWithPauses } from './ops/readiness';
import { createResultProcessor } from './processors/result-processor';
import { createEnqueuer } from './jobs/enqueuer';
import { promoteTenantJobs } from './jobs/wake-tenant';
import { registerStateGauges } from './ops/state-gauges';
import { vodCaller } from './upstream/vod-clients';
import { WebhookDeliveryError, createWebhookProcessor } from './processors/webhook-processor';
import { createWebhookSender } from './processors/webhook-sender';

/**
 * Coalescing for a tenant not in this replica's config (a rolling deploy): no debounce, no
 * cover, and its savings count on the UTC day.
 */
const UNKNOWN_TENANT_RULES: CoalescingRules = { minRefreshIntervalMs: 0, assetPattern: null, timezone: 'UTC' };

/** ms Redis has to answer PING for the worker to count as ready */
const READY_TIMEOUT_MS = 1000;

export interface RefreshWorkerDeps {
  config: AppConfig;
  logger: Logger;
  clock?: Clock;
  /** one per worker: the worker registers its state gauges on it */
  metrics?: WorkerMetrics;
  /** the OpenTelemetry SDK runs in this process (main's tracing.ts): queues and processors trace */
  tracing?: boolean;
}

/**
 * The refresh worker: one BullMQ Worker coalescing requests, one dispatching batches to VOD, one
 * following accepted batches to VOD's verdict, one retiring completed requests (the completion
 * outbox relayed to the completions queue), one delivering completion webhooks.
 * Any number of these processes may run against the same Redis.
 */
export function createRefreshWorker(deps: RefreshWorkerDeps) {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock({ offsetMs: config.env.CLOCK_OFFSET_MS, rate: config.env.CLOCK_RATE, startMs: config.env.CLOCK_START_MS });
  const metrics = deps.metrics ?? createWorkerMetrics();
  const prefix = queuePrefix(config.env.KEY_PREFIX);
  const tracing = deps.tracing === true;
  // BullMQ's producer and consumer spans; undefined when off (BullMQ then traces nothing)
  const telemetry = queueTelemetry(tracing);
  const connections: RedisClient[] = [];
  const connect = (name: string) => {
    const r = createRedis(config.env, 'worker', (err) => logger.warn({ err, connection: name }, 'redis error'));
    connections.push(r);
    return r;
  };

  const storeConnection = connect('store');
  const store = createDispatchStore(storeConnection, config.env.KEY_PREFIX);
  // pause, throttle, pacing and quota state, on the retrying connection the dispatcher uses
  const gate = createTenantGate(storeConnection, config.env.KEY_PREFIX);
  // scrapes and probes fail fast: during an outage they report it instead of queueing commands
  const probe = createRedis(config.env, 'api', (err) => logger.warn({ err, connection: 'probe' }, 'redis error'));
  connections.push(probe);
  const metricsStore = createMetricsStore(probe, config.env.KEY_PREFIX, (err) => logger.warn({ err }, 'metrics queue error'));
  registerStateGauges(metrics.registry, { tenants: config.tenants, store: metricsStore, clock, logger, callers: config.callers });
  // read by /readyz only, on the fail-fast connection like the other probes
  const pauseReader = createTenantGate(probe, config.env.KEY_PREFIX);
  const dispatchQueue = new Queue<DispatchJob>(QUEUE_NAMES.dispatch, { connection: connect('dispatch-queue'), prefix, telemetry });
  const completionsQueue = new Queue<RetireJob>(QUEUE_NAMES.completions, { connection: connect('completions-queue'), prefix, telemetry });
  const resultsQueue = new Queue<PollJob>(QUEUE_NAMES.results, { connection: connect('results-queue'), prefix, telemetry });
  const webhooksQueue = new Queue<WebhookJob>(QUEUE_NAMES.webhooks, { connection: connect('webhooks-queue'), prefix, telemetry });
  const enqueue = createEnqueuer({
    dispatch: { queue: dispatchQueue, maxAttempts: config.upstream.maxAttempts },
    results: { queue: resultsQueue, initialDelayMs: config.upstream.pollInitialDelayMs },
    clock,
  });
  const completions = createCompletionRelay({
    outbox: store, queue: completionsQueue, clock, logger, tenants: config.tenants.map((t) => t.id), intervalMs: config.worker.completionSweepMs,
  });
  const caller = vodCaller(config, clock, { redis: connect('tokens'), logger });
  const retentionSeconds = Math.round(config.statusTtlDays * 86_400);
  const coalescingRules = new Map<string, CoalescingRules>(config.tenants.map((t) => [t.id, {
    minRefreshIntervalMs: t.minRefreshIntervalMs,
    assetPattern: t.assetIdFromUrl === undefined ? null : new RegExp(t.assetIdFromUrl),
    timezone: t.timezone,
  }]));

  const common = {
    prefix,
    telemetry,
    autorun: false,
    stalledInterval: config.worker.stalledIntervalMs,
    lockDuration: config.worker.lockDurationMs,
    // a job whose worker died is always handed on: losing an accepted item is never an option
    maxStalledCount: Number.MAX_SAFE_INTEGER,
  };
  let stopped: Promise<void> | null = null;
  const ingestWorker = new Worker<IngestJob>(
    QUEUE_NAMES.ingest,
    createIngestProcessor({
      store, enqueue, completions, clock, logger, metrics, chunkItems: config.ingest.chunkItems, retentionSeconds,
      tenantRules: (tenant) => coalescingRules.get(tenant) ?? UNKNOWN_TENANT_RULES,
      stopping: () => stopped !== null,
    }),
    { ...common, connection: connect('ingest-worker'), concurrency: Math.max(1, Math.floor(config.worker.concurrency / 4)) },
  );
  const dispatchWorker = new Worker<DispatchJob>(
    QUEUE_NAMES.dispatch,
    createDispatchProcessor({
      config, store, enqueue, completions, clock, logger, metrics, gate, tracing,
      stopping: () => stopped !== null,
      call: caller.call,
      invalidateToken: (tenant) => caller.invalidateToken(tenant),
      // polls of a paused tenant wait for its probe; when one lifts the pause they go at once
      onResume: async (tenant) => {
        await promoteTenantJobs(resultsQueue, tenant);
      },
    }),
    {
      ...common,
      connection: connect('dispatch-worker'),
      concurrency: config.worker.concurrency,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => {
          const delay = backoffDelay(attemptsMade, { baseMs: config.upstream.backoffBaseMs, maxMs: config.upstream.backoffMaxMs });
          const retryAfter = err instanceof RetryableCallError ? (err.retryAfterMs ?? 0) : 0;
          return clock.realMs(Math.max(delay, retryAfter));
        },
      },
    },
  );
  const resultsWorker = new Worker<PollJob>(
    QUEUE_NAMES.results,
    createResultProcessor({
      config, store, enqueue, completions, clock, logger, metrics, gate,
      showResult: caller.showResult, tracing,
      invalidateToken: (tenant) => caller.invalidateToken(tenant),
    }),
    { ...common, connection: connect('results-worker'), concurrency: config.worker.concurrency },
  );
  // retiring pages through a request's items as coalescing does: the same share of the concurrency
  const completionsWorker = new Worker<RetireJob>(
    QUEUE_NAMES.completions,
    createCompletionsProcessor({
      store, retentionSeconds,
      webhooks: { queue: webhooksQueue, maxAttempts: config.webhooks.maxAttempts, keepFailedJobs: config.webhooks.keepFailedJobs },
    }),
    { ...common, connection: connect('completions-worker'), concurrency: Math.max(1, Math.floor(config.worker.concurrency / 4)) },
  );
  const sender = createWebhookSender({ timeoutMs: config.webhooks.timeoutMs });
  const webhooksWorker = new Worker<WebhookJob>(
    QUEUE_NAMES.webhooks,
    createWebhookProcessor({
      config, requests: createRequestStore(storeConnection, config.env.KEY_PREFIX), sender, clock, logger, metrics,
      slots: createCallerWebhookSlots(storeConnection, config.env.KEY_PREFIX), tracing,
    }),
    {
      ...common,
      connection: connect('webhooks-worker'),
      concurrency: config.worker.concurrency,
      settings: {
        backoffStrategy: (attemptsMade: number) =>
          backoffDelay(attemptsMade, { baseMs: config.webhooks.backoffBaseMs, maxMs: config.webhooks.backoffMaxMs }),
      },
    },
  );
  const workers = [
    ['ingest', ingestWorker], ['dispatch', dispatchWorker], ['results', resultsWorker], ['completions', completionsWorker], ['webhooks', webhooksWorker],
  ] as const;
  for (const [name, w] of workers) {
    w.on('failed', (job, err) => {
      if (err instanceof RetryableCallError || err instanceof WebhookDeliveryError) return; // logged by the processor
      logger.error({ queue: name, jobId: job?.id, err }, 'job failed');
    });
    w.on('error', (err) => logger.error({ queue: name, err }, 'worker error'));
  }

  let started = false;
  // set by stop(): ends its grace early
  let endGrace: () => void = () => undefined;
  return {
    metrics,
    clock,
    store,
    gate,
    async start(): Promise<void> {
      void ingestWorker.run();
      void dispatchWorker.run();
      void resultsWorker.run();
      void completionsWorker.run();
      void webhooksWorker.run();
      await Promise.all(workers.map(([, w]) => w.waitUntilReady()));
      // advice only: the worker runs either way, but an evicting Redis loses work silently
      await checkMemoryPolicy(storeConnection, logger);
      for (const tenant of await resumeTenantsWithNewCredentials(config.tenants, gate, logger)) {
        // jobs that waited for the probe go now: batches and result polls
        await promoteTenantJobs(dispatchQueue, tenant);
        await promoteTenantJobs(resultsQueue, tenant);
        await enqueue.now(tenant);
      }
      // completions a process that died left in the outbox, before this worker reports ready
      await completions.start();
      started = true;
      logger.info({ tenants: config.tenants.map((t) => t.id) }, 'refresh worker started');
    },
    /**
     * Relays to the completions queue the completions of every configured tenant still due after
     * worker.completionSweepMs, as the worker does at start and then that often. Returns how
     * many it found (their retire jobs exist afterwards, added now or before).
     */
    sweepCompletions(): Promise<number> {
      return completions.sweep();
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
    /**
     * Stops taking jobs and lets the running ones finish (calls in flight, polls, webhooks; a long
     * ingest hands itself back between chunks), for at most `graceMs` (default
     * SHUTDOWN_GRACE_MS). Jobs still running then are let go: BullMQ hands them to another
     * worker after lockDurationMs, which resumes their batches. Then closes queues and Redis.
     * Idempotent.
     */
    stop({ graceMs = config.env.SHUTDOWN_GRACE_MS }: { graceMs?: number } = {}): Promise<void> {
      stopped ??= (async () => {
        const closing = Promise.all([completions.stop(), ...workers.map(([, w]) => w.close())]);
        let timer: NodeJS.Timeout | undefined;
        const graceOver = new Promise<'over'>((resolve) => {
          timer = setTimeout(() => resolve('over'), graceMs);
          endGrace = () => resolve('over');
        });
        if ((await Promise.race([closing, graceOver])) === 'over') {
          const running = workers.map(([name, w]) => [name, w.isRunning()]);
          logger.warn({ graceMs, running }, 'shutdown grace over: jobs still running are left to other workers');
          await Promise.all(workers.map(([, w]) => w.close(true)));
        }
        clearTimeout(timer);
        await Promise.all([
          dispatchQueue.close(), completionsQueue.close(), resultsQueue.close(), webhooksQueue.close(), metricsStore.close(),
        ]);
        caller.close();
        sender.close();
        await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
      })();
      return stopped;
    },
    /** Ends a stop()'s grace now (a second SIGTERM): jobs still running are let go at once. */
    endGrace(): void {
      endGrace();
    },
  };
}
export type RefreshWorker = ReturnType<typeof createRefreshWorker>;
