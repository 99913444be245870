import { DelayedError, type Job } from 'bullmq';
import type { AppConfig, TenantConfig } from '@refresh/config';
import { pollJob, type DispatchStore, type ItemVerdict, type PollJob } from '@refresh/store';
import type { ShowResultOutcome } from '@refresh/vod-client';
import type { Logger } from 'pino';
import type { Clock } from './clock';
import { TenantCredentialsError } from './iam-tokens';
import type { WorkerMetrics } from './metrics';
import { nextPollDelay, verdictsFor } from './result-verdicts';
import type { Scheduler } from './scheduler';

export type ShowResultCaller = (tenant: TenantConfig, taskId: string) => Promise<ShowResultOutcome>;

/** What an item VOD reported FAILED shows as its error. */
export const VOD_FAILED = { code: 'VOD.REFRESH_FAILED', message: 'VOD reported FAILED for this URL' } as const;
const VOD_FAILED_ASSETS = { ...VOD_FAILED, message: "VOD reported FAILED for a URL of this batch's assets" } as const;

/**
 * One poll job follows one accepted batch (job id `poll.<batch>`) until each of its items has
 * VOD's final verdict or pollMaxAgeMs has passed since acceptance:
 *   ShowRefreshResult → verdicts per item → record them (record-results.lua, idempotent) →
 *   if items are still open, wait (moveToDelayed: no attempt used) and poll again.
 * Any answer other than a result list (retry later, rejected, no token) only means "look again
 * later". At the deadline every item still open becomes `unknown`. A job run again after its
 * worker died polls once more and records nothing twice.
 */
export function createResultProcessor(deps: {
  config: AppConfig;
  store: DispatchStore;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  metrics: WorkerMetrics;
  showResult: ShowResultCaller;
}) {
  const { config, store, clock, metrics } = deps;
  const tenants = new Map(config.tenants.map((t) => [t.id, t]));
  const retentionSeconds = Math.round(config.statusTtlDays * 86_400);
  const schedule = {
    initialDelayMs: config.upstream.pollInitialDelayMs,
    maxDelayMs: config.upstream.pollMaxDelayMs,
    maxAgeMs: config.upstream.pollMaxAgeMs,
  };

  return async function processPoll(job: Job<PollJob>, token?: string): Promise<string> {
    const { tenant: tenantId, batchId, taskId, acceptedAt } = pollJob.parse(job.data);
    const log = deps.logger.child({ tenant: tenantId, batchId, taskId });
    const batch = await store.batch(tenantId, batchId);
    if (!batch) {
      log.warn('batch record gone before its verdict: nothing left to follow');
      return 'gone';
    }

    const tenant = tenants.get(tenantId);
    let verdicts: Array<{ id: string; verdict: ItemVerdict }> = [];
    let retryAfterMs: number | undefined;
    if (tenant) {
      const outcome = await askVod(tenant, taskId, log);
      if (outcome.type === 'ok') verdicts = verdictsFor(batch, outcome.results);
      else if (outcome.type === 'retry') retryAfterMs = outcome.retryAfterMs;
    } else {
      // a replica with an older config (rolling deploy): look again later, or give up at the deadline
      log.warn('poll for a tenant not in this config');
    }

    const age = clock.now() - acceptedAt;
    const expired = age >= schedule.maxAgeMs;
    if (expired) {
      const final = new Set(verdicts.map((v) => v.id));
      for (const id of batch.ids) if (!final.has(id)) verdicts.push({ id, verdict: 'unknown' });
    }
    const failure = batch.kind === 'url' ? VOD_FAILED : VOD_FAILED_ASSETS;
    const res = await store.recordResults(tenantId, batchId, verdicts, { now: clock.now(), ttlSeconds: retentionSeconds, failure });
    metrics.itemResults(tenantId, res.recorded);
    for (const requestId of res.completedRequests) await deps.scheduler.retire(tenantId, requestId);
    if (res.recorded.completed + res.recorded.failed_vod + res.recorded.unknown > 0) {
      log.info({ ...res.recorded, open: res.open, ageMs: age }, 'VOD verdicts recorded');
    }
    // at the deadline every open item was given `unknown`, so nothing is left to wait for
    if (res.open === 0 || expired) return 'final';

    const delay = nextPollDelay(age, schedule, retryAfterMs);
    log.debug({ open: res.open, delayMs: delay }, 'task not final yet: polling again later');
    await job.moveToDelayed(Date.now() + delay, token);
    throw new DelayedError();
  };

  /** ShowRefreshResult; an IAM refusal of the tenant's password is one more reason to look later. */
  async function askVod(tenant: TenantConfig, taskId: string, log: Logger): Promise<ShowResultOutcome> {
    let outcome: ShowResultOutcome;
    try {
      outcome = await deps.showResult(tenant, taskId);
    } catch (err) {
      if (!(err instanceof TenantCredentialsError)) throw err;
      outcome = { type: 'retry', message: err.message, reachedUpstream: false };
    }
    if (outcome.type === 'rejected') {
      log.warn({ code: outcome.code, httpStatus: outcome.httpStatus, message: outcome.message }, 'ShowRefreshResult refused: polling again later');
    } else if (outcome.type === 'retry') {
      log.info({ code: outcome.code, httpStatus: outcome.httpStatus, message: outcome.message }, 'ShowRefreshResult failed: polling again later');
    }
    return outcome;
  }
}
