import { DelayedError, type Job } from 'bullmq';
import type { AppConfig, TenantConfig } from '@refresh/config';
import { batchItemIds, pollJob, type ItemVerdict, type PollJob, type TenantGate } from '@refresh/store';
import type { RefreshResult, ShowResultVerdict } from '@refresh/vod-client';
import type { Logger } from 'pino';
import { pauseTenant, takeCallSlot } from '../upstream/call-gate';
import { MAX_LINKED_REQUESTS, createCallTrace, type CallTrace } from '../upstream/call-trace';
import { TenantCredentialsError } from '../upstream/iam-tokens';
import { nextPollDelay, verdictsFor } from './result-verdicts';
import type { ProcessorDeps } from './processor-deps';

export type ShowResultCaller = (tenant: TenantConfig, taskId: string) => Promise<ShowResultVerdict>;

/** What an item VOD reported FAILED shows as its error. */
export const VOD_FAILED = { code: 'VOD.REFRESH_FAILED', message: 'VOD reported FAILED for this URL' } as const;
const VOD_FAILED_ASSETS = { ...VOD_FAILED, message: "VOD reported FAILED for a URL of this batch's assets" } as const;

/** What one poll learnt: VOD's results, "look again later", or "the tenant's gate holds calls until then". */
type Polled = { type: 'ok'; results: RefreshResult[] } | { type: 'later'; retryAfterMs?: number } | { type: 'hold'; until: number };

/**
 * One poll job follows one accepted batch (job id `poll.<batch>`) until each of its items has
 * VOD's final verdict or pollMaxAgeMs has passed since acceptance:
 *   tenant gate → call slot → ShowRefreshResult → verdicts per item → record them
 *   (record-results.lua, idempotent) → if items are still open, wait (moveToDelayed: no attempt
 *   used) and poll again.
 * Polls pass the same gate as dispatch: a paused or throttled tenant's polls wait in place
 * (no call, no IAM login, no attempt used, and no deadline: a verdict we could not ask for is
 * not "unknown"); each call takes a slot of the tenant's shared call rate. A poll never probes a
 * pause: only a dispatch probe lifts it, and then wakes the waiting polls. IAM refusing the
 * password, or VOD refusing the tenant, pauses the tenant here too, so a wrong password is
 * tried once, not once a poll (IAM locks users after repeated failures).
 * Any other answer than a result list only means "look again later". At the deadline every
 * item still open becomes `unknown`. A job run again after its worker died polls once more and
 * records nothing twice.
 */
export function createResultProcessor(deps: ProcessorDeps & {
  config: AppConfig;
  showResult: ShowResultCaller;
  /** pause, throttle and call pacing shared with dispatch and every replica */
  gate: TenantGate;
  /** drops the tenant's cached IAM token (after APIGW.0307) */
  invalidateToken: (tenant: TenantConfig) => Promise<void>;
  /** tracing is on: each poll is a span linked to the batch's requests */
  tracing?: boolean;
}) {
  const { config, store, clock, metrics, gate } = deps;
  const tenants = new Map(config.tenants.map((t) => [t.id, t]));
  const retentionSeconds = Math.round(config.statusTtlDays * 86_400);
  const schedule = {
    initialDelayMs: config.upstream.pollInitialDelayMs,
    maxDelayMs: config.upstream.pollMaxDelayMs,
    maxAgeMs: config.upstream.pollMaxAgeMs,
  };
  const pausing = { gate, clock, logger: deps.logger, cooldownMs: config.upstream.pauseCooldownMs };

  /** Puts the job back until `until` (clock time); BullMQ counts no attempt for it. */
  async function holdUntil(job: Job<PollJob>, token: string | undefined, until: number): Promise<never> {
    await job.moveToDelayed(Date.now() + clock.realMs(Math.max(1, until - clock.now())), token);
    throw new DelayedError();
  }

  return async function processPoll(job: Job<PollJob>, token?: string): Promise<string> {
    const { tenant: tenantId, batchId, taskId, acceptedAt } = pollJob.parse(job.data);
    const log = deps.logger.child({ tenant: tenantId, batchId, taskId });
    const trace = createCallTrace(job, deps.tracing === true);
    const batch = await store.batch(tenantId, batchId);
    if (!batch) {
      log.warn('batch record gone before its verdict: nothing left to follow');
      return 'gone';
    }

    const tenant = tenants.get(tenantId);
    let verdicts: Array<{ id: string; verdict: ItemVerdict }> = [];
    let retryAfterMs: number | undefined;
    if (tenant) {
      const held = await gateHold(tenantId);
      if (held !== null) {
        log.debug({ until: new Date(held).toISOString() }, 'tenant paused or throttled: poll waits');
        trace.note('pause_or_throttle', held);
        return holdUntil(job, token, held);
      }
      const polled = await trace.call(
        'vod.show_result',
        { 'refresh.tenant': tenantId, 'refresh.batch.kind': batch.kind, 'refresh.batch.items': batchItemIds(batch).length },
        () => store.requestTraceparents(tenantId, batchItemIds(batch), MAX_LINKED_REQUESTS + 1),
        () => poll(tenant, taskId, log, trace),
        (p) => ({ outcome: p.type === 'ok' ? 'results' : p.type }),
      );
      if (polled.type === 'hold') return holdUntil(job, token, polled.until);
      if (polled.type === 'ok') verdicts = verdictsFor(batch, polled.results);
      else retryAfterMs = polled.retryAfterMs;
    } else {
      // a replica with an older config (rolling deploy): look again later, or give up at the deadline
      log.warn('poll for a tenant not in this config');
    }

    const age = clock.now() - acceptedAt;
    const expired = age >= schedule.maxAgeMs;
    if (expired) {
      const final = new Set(verdicts.map((v) => v.id));
      for (const id of batchItemIds(batch)) if (!final.has(id)) verdicts.push({ id, verdict: 'unknown' });
    }
    const failure = batch.kind === 'url' ? VOD_FAILED : VOD_FAILED_ASSETS;
    const res = await store.recordResults(tenantId, batchId, verdicts, { now: clock.now(), ttlSeconds: retentionSeconds, failure });
    metrics.itemResults(tenantId, res.recorded);
    if (res.completedRequests.length > 0) await deps.completions.relay(tenantId);
    if (res.requeued) {
      // covered URLs VOD's verdict did not list go again as URLs: they need a dispatcher
      log.warn({ requeued: res.requeued }, 'asset cover missed URLs: they go again as URLs');
      await deps.enqueue.now(tenantId);
    }
    if (res.recorded.completed + res.recorded.failed_vod + res.recorded.unknown > 0) {
      log.info({ ...res.recorded, open: res.open, ageMs: age }, 'VOD verdicts recorded');
    }
    // at the deadline every open item was given `unknown`, so nothing is left to wait for
    if (res.open === 0 || expired) return 'final';

    const delay = nextPollDelay(age, schedule, retryAfterMs);
    log.debug({ open: res.open, delayMs: delay }, 'task not final yet: polling again later');
    return holdUntil(job, token, clock.now() + delay);
  };

  /**
   * Until when the tenant's gate holds calls, or null. A pause holds polls until its probe is
   * due, and once due (a dispatch job may be probing, or none is there to) for another cool-down;
   * the probe that lifts it wakes them early.
   */
  async function gateHold(tenantId: string): Promise<number | null> {
    const now = clock.now();
    const pause = await gate.getPause(tenantId);
    if (pause) return pause.probeAt > now ? pause.probeAt : now + config.upstream.pauseCooldownMs;
    return gate.throttledUntil(tenantId, now);
  }

  /** ShowRefreshResult under the tenant's call rate; acts on answers that concern the whole tenant. */
  async function poll(tenant: TenantConfig, taskId: string, log: Logger, trace: CallTrace): Promise<Polled> {
    await takeCallSlot(gate, clock, tenant, (ms) => trace.paced(ms));
    let verdict: ShowResultVerdict;
    try {
      verdict = await deps.showResult(tenant, taskId);
    } catch (err) {
      if (!(err instanceof TenantCredentialsError)) throw err;
      const until = await pauseTenant(pausing, tenant, tenant.id, { reason: 'credentials', code: err.code, message: err.message });
      return { type: 'hold', until };
    }

    switch (verdict.class) {
      case 'results':
        return { type: 'ok', results: verdict.results };
      case 'tenant_blocked': {
        const until = await pauseTenant(pausing, tenant, tenant.id, verdict);
        return { type: 'hold', until };
      }
      case 'throttled': {
        const until = clock.now() + Math.max(verdict.retryAfterMs ?? 0, config.upstream.backoffBaseMs);
        const held = await gate.throttle(tenant.id, until);
        log.warn({ until: new Date(held).toISOString() }, 'VOD throttled a poll: every call of the tenant backs off');
        return { type: 'hold', until: held };
      }
      case 'token_expired':
        // the next poll fetches a new token; refused then, the tenant pauses above
        await deps.invalidateToken(tenant);
        log.info('ShowRefreshResult refused the IAM token: a new one next time');
        return { type: 'later' };
      default: {
        // the answer as it came: a refusal by its HTTP status is a warning, a failure is not
        const { answer } = verdict;
        if (answer.type === 'rejected') {
          log.warn({ code: answer.code, httpStatus: answer.httpStatus, message: answer.message }, 'ShowRefreshResult refused: polling again later');
        } else {
          log.info({ code: answer.code, httpStatus: answer.httpStatus, message: answer.message }, 'ShowRefreshResult failed: polling again later');
        }
        return { type: 'later', ...(verdict.retryAfterMs !== undefined ? { retryAfterMs: verdict.retryAfterMs } : {}) };
      }
    }
  }
}
