import { DelayedError, type Job } from 'bullmq';
import { backoffDelay, budgetDay, nextReleaseStep, reserveHeld, reserveRule, type ReserveRule } from '@refresh/core';
import { callerWeights, type AppConfig, type TenantConfig } from '@refresh/config';
import {
  batchItemIds, dispatchJob, type BatchRecord, type BudgetContext, type ClaimResult, type DispatchJob, type DispatchStore, type TenantGate,
} from '@refresh/store';
import { classify, type CallOutcome } from '@refresh/vod-client';
import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { WorkerMetrics } from './metrics';
import { pauseTenant, takeCallSlot } from './call-gate';
import { MAX_LINKED_REQUESTS, createCallTrace, type CallTrace } from './call-trace';
import type { CompletionRelay } from './completion-relay';
import { TenantCredentialsError } from './iam-tokens';
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
/** Longest sleep before a job the pace held back asks for its slot again. */
const PACE_POLL_MAX_MS = 1_000;

/**
 * One dispatch job sends at most one batch, whose id is the job's id:
 *   claim (atomic: the call slot + items + budget, only once the pace lets a call leave now) →
 *   wake a successor if more is pending → spend budget for the attempt → call VOD → record the
 *   outcome.
 * A job that dies anywhere is run again by BullMQ with the same id and resumes its own batch.
 * Retries of the call are the job's attempts, with jittered exponential backoff.
 * A job holding a batch that must wait for the next budget day (see waitForReset) marks the batch
 * waiting, so callers see its items as deferred; the wait ends just before the batch's next call.
 */
export function createDispatchProcessor(deps: {
  config: AppConfig;
  store: DispatchStore;
  scheduler: Scheduler;
  /** relays the completions of requests a batch's outcome completed */
  completions: Pick<CompletionRelay, 'relay'>;
  clock: Clock;
  logger: Logger;
  metrics: WorkerMetrics;
  call: RefreshCaller;
  /** pause, throttle, call pacing and quota state shared by every replica */
  gate: TenantGate;
  /** drops the tenant's cached IAM token (after APIGW.0307) */
  invalidateToken: (tenant: TenantConfig) => Promise<void>;
  /** a probe lifted the tenant's pause: wakes what waited for it elsewhere (result polls) */
  onResume?: (tenantId: string) => Promise<void>;
  /** true once the worker is shutting down: a job waiting for the pace hands itself back */
  stopping?: () => boolean;
  /** tracing is on: each call is a span linked to its requests, with what it waited on */
  tracing?: boolean;
}) {
  const { config, store, scheduler, clock, metrics, gate } = deps;
  const tenants = new Map(config.tenants.map((t) => [t.id, t]));
  // each tenant's callers and their weights, for the fair sharing of its budget between them
  const weights = new Map(config.tenants.map((t) => [t.id, callerWeights(config, t.id)]));
  const retentionSeconds = Math.round(config.statusTtlDays * 86_400);
  const maxAttempts = config.upstream.maxAttempts;
  const midnightGuardMs = config.upstream.connectTimeoutMs + config.upstream.timeoutMs + MIDNIGHT_MARGIN_MS;

  return async function processDispatch(job: Job<DispatchJob>, token?: string): Promise<string> {
    const trace = createCallTrace(job, deps.tracing === true);
    try {
      return await dispatch(job, token, trace);
    } catch (err) {
      // a run that ends waiting tells the run that calls what it waited on
      if (err instanceof DelayedError || err instanceof RetryableCallError) await trace.keep().catch(() => undefined);
      throw err;
    }
  };

  async function dispatch(job: Job<DispatchJob>, token: string | undefined, trace: CallTrace): Promise<string> {
    const { tenant: tenantId } = dispatchJob.parse(job.data);
    const tenant = tenants.get(tenantId);
    if (!tenant) {
      // a replica with an older config (rolling deploy): hand the job back rather than drop the
      // wake-up, so a replica that knows the tenant picks it up
      deps.logger.warn({ tenant: tenantId }, 'dispatch for a tenant not in this config; handed back');
      // wall time, not clock time: it waits for a rollout of the config
      await job.moveToDelayed(Date.now() + UNKNOWN_TENANT_RETRY_MS, token);
      throw new DelayedError();
    }
    const batchId = job.id!;
    let now = clock.now();
    let day = budgetDay(now, tenant.timezone);
    let budget: BudgetContext = { dayId: day.dayId, dailyLimit: tenant.dailyLimit, ttlSeconds: BUDGET_TTL_SECONDS };
    let gateState: { waitUntil: number | null; probing: boolean; reason?: 'pause' | 'throttle' } = { waitUntil: null, probing: false };
    let claim: ClaimResult;
    // Claimed at send time: the claim takes the call slot its batch leaves in, so while the pace
    // holds calls back this job holds nothing (the items stay pending, where a higher-priority
    // item can overtake them and a cancel can reach them) and asks again when the slot is due.
    for (let round = 0; ; round++) {
      if (round > 0) {
        now = clock.now();
        day = budgetDay(now, tenant.timezone);
        budget = { ...budget, dayId: day.dayId };
      }
      // A call that starts just before midnight may land on VOD's next day while we counted it on
      // this one; then VOD would count more than we do tomorrow. Such calls wait for the reset,
      // with the batch this job may already hold (a retry or a rerun).
      if (day.resetsAt - now < midnightGuardMs) return waitForReset(trace, job, token, tenantId, batchId, day.resetsAt, now);

      // A paused or throttled tenant's job waits in place (it may already hold a batch), except
      // the one job per cool-down that probes whether VOD accepts the tenant again (a probe
      // keeps its turn while it waits for the pace).
      if (!gateState.probing) gateState = await gateWait(tenantId, now);
      if (gateState.waitUntil !== null) {
        trace.waits(gateState.reason ?? 'throttle', gateState.waitUntil);
        await job.moveToDelayed(Date.now() + clock.realMs(gateState.waitUntil - now), token);
        throw new DelayedError();
      }

      claim = await store.claim(tenantId, batchId, {
        now, ...config.batching, ...budget, callsPerSecond: tenant.maxCallsPerSecond, reserve: reserveNow(reserveRule(tenant.reserve, day.resetsAt), now),
        weights: weights.get(tenantId), minRefreshIntervalMs: tenant.minRefreshIntervalMs,
      });
      if (claim.action !== 'pace') break;
      if (deps.stopping?.()) {
        // it holds nothing while it waits for the pace: hand it back at once, for another replica
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      const slotIn = Math.min(Math.max(claim.until - now, 1), PACE_POLL_MAX_MS);
      trace.paced(clock.realMs(slotIn));
      await new Promise((r) => setTimeout(r, clock.realMs(slotIn)));
    }
    switch (claim.action) {
      case 'idle':
        return 'idle';
      case 'wait':
        trace.note('batch_window', claim.until);
        await scheduler.at(tenantId, claim.until);
        return 'wait';
      case 'budget':
        // spent: the reset; only the urgent reserve left: its release (a high item wakes us sooner)
        trace.note(claim.until === undefined ? 'budget_day' : 'reserve', claim.until ?? day.resetsAt);
        await scheduler.at(tenantId, claim.until ?? day.resetsAt);
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
      if (rerun) {
        // the run that died may have recorded the 202 but not yet scheduled the polling
        // (a second poll job for the same batch is deduplicated by its id)
        if (batch?.taskId) await scheduler.poll(tenantId, batchId, batch.taskId, batch.doneAt ?? clock.now());
        // or it split the batch but died before queueing the halves (queueing twice is harmless)
        for (const child of batch?.splitInto ?? []) await scheduler.batch(tenantId, child);
        await wakeIfPending(tenantId);
      }
      return 'done';
    }
    let result: string;
    try {
      result = await sendBatch(trace, job, token, tenant, batch, budget, day, now, gateState.probing, claim.action === 'send');
    } catch (err) {
      // A job holding a batch must never end failed: its items would stay in flight for good.
      // An unexpected error (Redis, IAM) on the last attempt hands the job back for later.
      if (err instanceof DelayedError || err instanceof RetryableCallError || job.attemptsMade + 1 < maxAttempts) throw err;
      deps.logger.error({ tenant: tenantId, batchId, err: (err as Error).message }, 'unexpected error on the last attempt; batch kept for later');
      await job.moveToDelayed(Date.now() + clock.realMs(config.upstream.backoffMaxMs), token);
      throw new DelayedError();
    }
    if (rerun) await wakeIfPending(tenantId);
    return result;
  }

  /**
   * Records a batch's outcome; requests it completed are relayed to the completions queue, and
   * covered URLs it sent back to the queue (VOD refused their asset id) get a dispatcher.
   */
  async function finish(tenantId: string, batchId: string, outcome: Parameters<DispatchStore['finishBatch']>[2]): Promise<void> {
    const { completedRequests, requeued } = await store.finishBatch(tenantId, batchId, outcome, clock.now(), retentionSeconds);
    if (completedRequests.length > 0) await deps.completions.relay(tenantId);
    if (requeued) await scheduler.now(tenantId);
  }

  /**
   * When this job must wait because of a pause or a throttle, the instant to wait for; and
   * whether this job is the one probe of a paused tenant (only a probe's success resumes it: a
   * call that left before the pause proves nothing).
   */
  async function gateWait(tenantId: string, now: number): Promise<{ waitUntil: number | null; probing: boolean; reason?: 'pause' | 'throttle' }> {
    const pause = await gate.getPause(tenantId);
    let probing = false;
    if (pause) {
      if (pause.probeAt > now) return { waitUntil: pause.probeAt, probing, reason: 'pause' };
      const next = now + config.upstream.pauseCooldownMs;
      if (!(await gate.claimProbe(tenantId, now, next))) return { waitUntil: next, probing, reason: 'pause' };
      probing = true;
      deps.logger.info({ tenant: tenantId, reason: pause.reason }, 'paused tenant: probing VOD with one batch');
    }
    return { waitUntil: await gate.throttledUntil(tenantId, now), probing, reason: 'throttle' };
  }

  async function wakeIfPending(tenantId: string): Promise<void> {
    if (await store.hasPending(tenantId)) await scheduler.now(tenantId);
  }

  async function sendBatch(
    trace: CallTrace,
    job: Job<DispatchJob>,
    token: string | undefined,
    tenant: TenantConfig,
    batch: BatchRecord,
    budget: BudgetContext,
    day: { dayId: string; resetsAt: number },
    now: number,
    probing: boolean,
    /** the claim took this call's slot; a retry or a rerun takes its own */
    slotHeld: boolean,
  ): Promise<string> {
    const tenantId = tenant.id;
    const batchId = batch.batchId;
    const log = deps.logger.child({ tenant: tenantId, batchId, kind: batch.kind, items: batch.ids.length });

    const begun = await store.beginAttempt(tenantId, batchId, budget);
    if (begun === 'done' || begun === 'missing') return begun;
    if (begun === 'budget') {
      // a retry needs fresh budget and today has none left: wait for the reset
      log.info({ resetsAt: new Date(day.resetsAt).toISOString() }, 'retry deferred to the budget reset');
      return waitForReset(trace, job, token, tenantId, batchId, day.resetsAt, now);
    }

    const attempt = job.attemptsMade + 1;
    // marked by an earlier run of this job; this run marks it only on its way out
    let waiting = batch.waitingUntil !== undefined;
    /**
     * One call, after pacing. Waiting for a call slot may carry us into the midnight margin: then
     * the call waits for the reset (with its budget held), as calls that start there always do.
     * An IAM password refusal blocks the tenant: nothing reached VOD, the budget is held.
     */
    const guardedCall = async (): Promise<CallOutcome> => {
      try {
        if (slotHeld) slotHeld = false;
        else await takeCallSlot(gate, clock, tenant, (ms) => trace.paced(ms));
        const at = clock.now();
        if (budgetDay(at, tenant.timezone).dayId !== day.dayId || day.resetsAt - at < midnightGuardMs) {
          await store.holdBudget(tenantId, batchId, day.dayId, false);
          return await waitForReset(trace, job, token, tenantId, batchId, day.resetsAt, at);
        }
        if (waiting) {
          await store.endDeferral(tenantId, batchId);
          waiting = false;
        }
        return await timedCall(tenant, batch);
      } catch (err) {
        if (!(err instanceof TenantCredentialsError)) throw err;
        await store.holdBudget(tenantId, batchId, day.dayId, false);
        return blockTenant(trace, job, token, tenantId, { reason: 'credentials', code: err.code, message: err.message });
      }
    };
    // each call a span of its own trace, linked to the requests whose items it carries
    const tracedCall = () => trace.call(
      'vod.refresh',
      { 'refresh.tenant': tenantId, 'refresh.batch.kind': batch.kind, 'refresh.batch.items': batchItemIds(batch).length, 'refresh.call.attempt': attempt },
      () => store.requestTraceparents(tenantId, batchItemIds(batch), MAX_LINKED_REQUESTS + 1),
      async () => {
        const outcome = await guardedCall();
        return { outcome, verdict: classify(outcome, { quotaErrorCodes: tenant.quotaErrorCodes }) };
      },
      ({ outcome, verdict }) => ({ outcome: verdict.class, code: ('code' in verdict && verdict.code) || httpCode(outcome) }),
    );
    let { outcome, verdict } = await tracedCall();
    if (verdict.class === 'token_expired') {
      // the token was invalidated early: fetch a new one and retry once (a new call, new budget)
      await deps.invalidateToken(tenant);
      const again = await store.beginAttempt(tenantId, batchId, budget);
      if (again === 'budget') {
        log.info({ resetsAt: new Date(day.resetsAt).toISOString() }, 'token retry deferred to the budget reset');
        return waitForReset(trace, job, token, tenantId, batchId, day.resetsAt, clock.now());
      }
      if (again === 'ok') ({ outcome, verdict } = await tracedCall());
      if (verdict.class === 'token_expired') {
        verdict = { class: 'tenant_blocked', reason: 'credentials', code: 'APIGW.0307', message: 'IAM token refused twice in a row' };
      }
    }
    metrics.upstreamCall(tenantId, verdict.class);

    switch (verdict.class) {
      case 'accepted': {
        await finish(tenantId, batchId, { type: 'submitted', taskId: verdict.taskId });
        // counted as soon as Redis says submitted, so a scrape never shows the items sent but uncounted
        metrics.itemsSent(tenantId, batch.kind, batch.ids.length);
        metrics.itemsSubmitted(tenantId, batch.enqueuedAt, clock.now());
        await scheduler.poll(tenantId, batchId, verdict.taskId, clock.now());
        if (probing && (await gate.resume(tenantId))) {
          log.info('VOD accepted the probe: tenant resumed');
          await wakeIfPending(tenantId);
          await deps.onResume?.(tenantId);
        }
        log.info({ taskId: verdict.taskId, attempt }, 'batch submitted');
        return 'submitted';
      }
      case 'rejected_items': {
        if (batch.ids.length > 1) {
          // one bad item fails a whole call: resend the halves until the offenders are alone
          const children = await store.splitBatch(tenantId, batchId, clock.now());
          for (const child of children) await scheduler.batch(tenantId, child);
          log.info({ code: verdict.code, children }, 'batch refused for its items: split in two');
          return 'split';
        }
        await finish(tenantId, batchId, { type: 'failed', code: verdict.code, message: verdict.message, use: 'refused' });
        log.warn({ code: verdict.code, value: batch.values[0] }, 'item refused by VOD');
        return 'rejected';
      }
      case 'tenant_blocked':
        return blockTenant(trace, job, token, tenantId, verdict);
      case 'throttled': {
        const wait = Math.max(verdict.retryAfterMs ?? 0, backoffDelay(attempt, { baseMs: config.upstream.backoffBaseMs, maxMs: config.upstream.backoffMaxMs }));
        const until = clock.now() + wait;
        // the gateway's own 429 never reached VOD: the batch's budget comes back until it is resent
        if (outcome.type === 'retry' && !outcome.reachedUpstream) await store.holdBudget(tenantId, batchId, day.dayId, false);
        await gate.throttle(tenantId, until);
        trace.waits('throttle', until);
        log.warn({ until: new Date(until).toISOString() }, 'VOD throttled the tenant: every replica backs off');
        await job.moveToDelayed(Date.now() + clock.realMs(wait), token);
        throw new DelayedError();
      }
      case 'quota_spent': {
        await gate.markQuotaSpent(tenantId, day.dayId, tenant.dailyLimit, BUDGET_TTL_SECONDS);
        log.warn({ code: verdict.code, resetsAt: new Date(day.resetsAt).toISOString() }, "VOD says today's quota is spent: deferred to the reset");
        return waitForReset(trace, job, token, tenantId, batchId, day.resetsAt, clock.now());
      }
      case 'retry_later': {
        if (verdict.unknownCode) {
          metrics.unknownCode(tenantId);
          log.warn({ code: verdict.code, message: verdict.message }, 'unknown VOD answer: retried later');
        }
        const reachedUpstream = outcome.type === 'retry' ? outcome.reachedUpstream : true;
        const message = verdict.message;
        const code = verdict.code ?? httpCode(outcome);
        const last = attempt >= maxAttempts;
        if (!reachedUpstream) await store.holdBudget(tenantId, batchId, day.dayId, last);
        if (last) {
          await finish(tenantId, batchId, { type: 'failed', code, message, use: reachedUpstream ? 'unknown' : 'refunded' });
          log.error({ code, attempt, reachedUpstream }, 'batch failed after the last attempt');
          return 'failed';
        }
        log.warn({ attempt, code, reachedUpstream }, 'call failed; will retry');
        throw new RetryableCallError(message, outcome.type === 'retry' ? outcome.retryAfterMs : undefined);
      }
    }
  }

  /**
   * This job, and the batch it holds if any, waits for the budget reset `resetsAt` (`at` is now
   * on the worker's clock). The batch is marked waiting first, so that callers see its items as
   * deferred, not in flight, for the hours until then; its budget stays as it is.
   */
  async function waitForReset(
    trace: CallTrace,
    job: Job<DispatchJob>,
    token: string | undefined,
    tenantId: string,
    batchId: string,
    resetsAt: number,
    at: number,
  ): Promise<never> {
    await store.deferBatch(tenantId, batchId, resetsAt);
    trace.waits('budget_day', resetsAt);
    await job.moveToDelayed(Date.now() + clock.realMs(resetsAt - at), token);
    throw new DelayedError();
  }

  /** Pauses the tenant for every replica; this job (and its batch) waits for the probe. */
  async function blockTenant(
    trace: CallTrace,
    job: Job<DispatchJob>,
    token: string | undefined,
    tenantId: string,
    why: { reason: 'credentials' | 'account'; code: string; message: string },
  ): Promise<never> {
    const probeAt = await pauseTenant({ gate, clock, logger: deps.logger, cooldownMs: config.upstream.pauseCooldownMs }, tenants.get(tenantId), tenantId, why);
    trace.waits('pause', probeAt);
    await job.moveToDelayed(Date.now() + clock.realMs(probeAt - clock.now()), token);
    throw new DelayedError();
  }

  async function timedCall(tenant: TenantConfig, batch: BatchRecord): Promise<CallOutcome> {
    const started = process.hrtime.bigint();
    const outcome = await deps.call(tenant, batch.kind, batch.values);
    metrics.upstreamLatency(tenant.id, Number(process.hrtime.bigint() - started) / 1e9);
    return outcome;
  }
}

/** What claim-batch.lua holds back now: the reserve's held part, until the instant it next shrinks. */
function reserveNow(rule: ReserveRule, now: number): { units: number; releaseAt: number } {
  return { units: reserveHeld(rule, now), releaseAt: nextReleaseStep(rule, now) };
}

function httpCode(outcome: CallOutcome): string {
  if (outcome.type === 'accepted') return 'HTTP.202';
  return outcome.code ?? (outcome.httpStatus ? `HTTP.${outcome.httpStatus}` : 'NETWORK');
}
