import { DelayedError, type Job } from 'bullmq';
import { budgetDay } from '@refresh/core';
import type { AppConfig, TenantConfig } from '@refresh/config';
import { dispatchJob, type BatchRecord, type BudgetContext, type DispatchJob, type DispatchStore } from '@refresh/store';
import type { CallOutcome } from '@refresh/vod-client';
import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { WorkerMetrics } from './metrics';
import type { Scheduler } from './scheduler';

/** Thrown to make BullMQ retry the job's call; carries the upstream's Retry-After. */
export class RetryableCallError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

export type RefreshCaller = (tenant: TenantConfig, kind: 'asset_id' | 'url', items: string[]) => Promise<CallOutcome>;

/** Budget counters outlive their day so a late refund still finds its counter. */
const BUDGET_TTL_SECONDS = 3 * 86_400;
/** How long a job for a tenant this replica does not know waits before another try. */
const UNKNOWN_TENANT_RETRY_MS = 30_000;
/** Slack for clock skew between us and VOD when keeping calls away from midnight. */
const MIDNIGHT_MARGIN_MS = 2_000;

/**
 * One dispatch job sends at most one batch, whose id is the job's id:
 *   claim (atomic: items + budget) → wake a successor if more is pending → spend budget for
 *   the attempt → call VOD → record the outcome.
 * A job that dies anywhere is run again by BullMQ with the same id and resumes its own batch.
 * Retries of the call are the job's attempts, with jittered exponential backoff.
 */
export function createDispatchProcessor(deps: {
  config: AppConfig;
  store: DispatchStore;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  metrics: WorkerMetrics;
  call: RefreshCaller;
}) {
  const { config, store, scheduler, clock, metrics } = deps;
  const tenants = new Map(config.tenants.map((t) => [t.id, t]));
  const retentionSeconds = Math.round(config.statusTtlDays * 86_400);
  const maxAttempts = config.upstream.maxAttempts;

  return async function processDispatch(job: Job<DispatchJob>, token?: string): Promise<string> {
    const { tenant: tenantId } = dispatchJob.parse(job.data);
    const tenant = tenants.get(tenantId);
    if (!tenant) {
      // a replica with an older config (rolling deploy): hand the job back rather than drop the
      // wake-up, so a replica that knows the tenant picks it up
      deps.logger.warn({ tenant: tenantId }, 'dispatch for a tenant not in this config; handed back');
      await job.moveToDelayed(Date.now() + UNKNOWN_TENANT_RETRY_MS, token);
      throw new DelayedError();
    }
    const batchId = job.id!;
    const now = clock.now();
    const day = budgetDay(now, tenant.timezone);
    const budget: BudgetContext = { dayId: day.dayId, dailyLimit: tenant.dailyLimit, ttlSeconds: BUDGET_TTL_SECONDS };

    // A call that starts just before midnight may land on VOD's next day while we counted it on
    // this one; then VOD would count more than we do tomorrow. Such calls wait for the reset.
    if (day.resetsAt - now < config.upstream.connectTimeoutMs + config.upstream.timeoutMs + MIDNIGHT_MARGIN_MS) {
      await job.moveToDelayed(Date.now() + (day.resetsAt - now), token);
      throw new DelayedError();
    }

    const claim = await store.claim(tenantId, batchId, { now, ...config.batching, ...budget });
    switch (claim.action) {
      case 'idle':
        return 'idle';
      case 'wait':
        await scheduler.at(tenantId, claim.until);
        return 'wait';
      case 'budget':
        await scheduler.at(tenantId, day.resetsAt);
        return 'budget';
      case 'send':
        // let another replica take the next batch while this one is on the wire
        if (claim.more > 0) await scheduler.now(tenantId);
        break;
      case 'existing':
        break;
    }

    // A job run again (its worker died, possibly before waking a successor) or a reused job id
    // must not end a chain: wake the tenant if anything is still pending once this batch is done.
    const rerun = claim.action === 'existing';
    const batch = await store.batch(tenantId, batchId);
    if (!batch || batch.state === 'done') {
      if (rerun) await wakeIfPending(tenantId);
      return 'done';
    }
    const result = await sendBatch(job, token, tenant, batch, budget, day, now);
    if (rerun) await wakeIfPending(tenantId);
    return result;
  };

  /** Records a batch's outcome; requests it completed start their retention. */
  async function finish(tenantId: string, batchId: string, outcome: Parameters<DispatchStore['finishBatch']>[2]): Promise<void> {
    const { completedRequests } = await store.finishBatch(tenantId, batchId, outcome, clock.now(), retentionSeconds);
    for (const requestId of completedRequests) await scheduler.retire(tenantId, requestId);
  }

  async function wakeIfPending(tenantId: string): Promise<void> {
    if (await store.hasPending(tenantId)) await scheduler.now(tenantId);
  }

  async function sendBatch(
    job: Job<DispatchJob>,
    token: string | undefined,
    tenant: TenantConfig,
    batch: BatchRecord,
    budget: BudgetContext,
    day: { dayId: string; resetsAt: number },
    now: number,
  ): Promise<string> {
    const tenantId = tenant.id;
    const batchId = batch.batchId;
    const log = deps.logger.child({ tenant: tenantId, batchId, kind: batch.kind, items: batch.ids.length });

    const begun = await store.beginAttempt(tenantId, batchId, budget);
    if (begun === 'done' || begun === 'missing') return begun;
    if (begun === 'budget') {
      // a retry needs fresh budget and today has none left: wait for the reset
      log.info({ resetsAt: new Date(day.resetsAt).toISOString() }, 'retry deferred to the budget reset');
      await job.moveToDelayed(Date.now() + (day.resetsAt - now), token);
      throw new DelayedError();
    }

    const started = process.hrtime.bigint();
    const outcome = await deps.call(tenant, batch.kind, batch.values);
    metrics.upstreamCall(tenantId, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    const attempt = job.attemptsMade + 1;

    switch (outcome.type) {
      case 'accepted':
        await finish(tenantId, batchId, { type: 'submitted', taskId: outcome.taskId });
        metrics.itemsSent(tenantId, batch.kind, batch.ids.length);
        metrics.itemsSubmitted(tenantId, batch.enqueuedAt, clock.now());
        log.info({ taskId: outcome.taskId, attempt }, 'batch submitted');
        return 'submitted';
      case 'rejected':
        await finish(tenantId, batchId, { type: 'failed', code: outcome.code, message: outcome.message });
        log.warn({ code: outcome.code, httpStatus: outcome.httpStatus }, 'batch rejected by VOD');
        return 'rejected';
      case 'retry': {
        const last = attempt >= maxAttempts;
        if (!outcome.reachedUpstream) await store.holdBudget(tenantId, batchId, day.dayId, last);
        if (last) {
          const code = outcome.code ?? (outcome.httpStatus ? `HTTP.${outcome.httpStatus}` : 'NETWORK');
          await finish(tenantId, batchId, { type: 'failed', code, message: outcome.message });
          log.error({ code, attempt, reachedUpstream: outcome.reachedUpstream }, 'batch failed after the last attempt');
          return 'failed';
        }
        log.warn({ attempt, code: outcome.code, httpStatus: outcome.httpStatus, reachedUpstream: outcome.reachedUpstream }, 'call failed; will retry');
        throw new RetryableCallError(outcome.message, outcome.retryAfterMs);
      }
    }
  }
}
