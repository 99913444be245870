import { DelayedError, type Job } from 'bullmq';
import { budgetDay } from '@refresh/core';
import type { AppConfig, TenantConfig } from '@refresh/config';
import { dispatchJob, type BudgetContext, type DispatchJob, type DispatchStore } from '@refresh/store';
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
      deps.logger.warn({ tenant: tenantId }, 'dispatch for a tenant not in the config; its items stay queued');
      return 'unknown-tenant';
    }
    const batchId = job.id!;
    const now = clock.now();
    const day = budgetDay(now, tenant.timezone);
    const budget: BudgetContext = { dayId: day.dayId, dailyLimit: tenant.dailyLimit, ttlSeconds: BUDGET_TTL_SECONDS };

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

    const batch = await store.batch(tenantId, batchId);
    if (!batch || batch.state === 'done') return 'done';
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
        await store.finishBatch(tenantId, batchId, { type: 'submitted', taskId: outcome.taskId }, clock.now(), retentionSeconds);
        metrics.itemsSent(tenantId, batch.kind, batch.ids.length);
        log.info({ taskId: outcome.taskId, attempt }, 'batch submitted');
        return 'submitted';
      case 'rejected':
        await store.finishBatch(tenantId, batchId, { type: 'failed', code: outcome.code, message: outcome.message }, clock.now(), retentionSeconds);
        log.warn({ code: outcome.code, httpStatus: outcome.httpStatus }, 'batch rejected by VOD');
        return 'rejected';
      case 'retry': {
        const last = attempt >= maxAttempts;
        if (!outcome.reachedUpstream) await store.holdBudget(tenantId, batchId, day.dayId, last);
        if (last) {
          const code = outcome.code ?? (outcome.httpStatus ? `HTTP.${outcome.httpStatus}` : 'NETWORK');
          await store.finishBatch(tenantId, batchId, { type: 'failed', code, message: outcome.message }, clock.now(), retentionSeconds);
          log.error({ code, attempt, reachedUpstream: outcome.reachedUpstream }, 'batch failed after the last attempt');
          return 'failed';
        }
        log.warn({ attempt, code: outcome.code, httpStatus: outcome.httpStatus, reachedUpstream: outcome.reachedUpstream }, 'call failed; will retry');
        throw new RetryableCallError(outcome.message, outcome.retryAfterMs);
      }
    }
  };
}
