import type { TenantConfig } from '@refresh/config';
import { ERROR_CODES, budgetDay } from '@refresh/core';
import type { Admission, CallerRate } from '@refresh/store';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { callerOf, type Caller } from '../auth/auth';
import type { ApiContext } from '../context';
import { HttpError, dependency, tooManyRequests } from '../http/errors';

/**
 * Back-pressure: each caller's request rate and each tenant's backlog cap, both from the
 * config and both kept in Redis, so they hold across API replicas. Beyond either the answer is
 * 429 with Retry-After and a message naming the limit.
 */

/** Retry-After of a full backlog whose tenant can still send today: coalescing and sending free room. */
export const BACKLOG_RETRY_SECONDS = 60;

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * `authenticate`, then one slot of the caller's rate (maxRequestsPerSecond, burst), so every
 * authenticated route is limited without each route having to ask. Status polls count too:
 * they load the same Redis as submissions, and one budget per caller is one thing to tune.
 */
export function withCallerRate(
  ctx: Pick<ApiContext, 'config' | 'metrics' | 'now'>,
  rate: CallerRate,
  authenticate: RequestHandler,
): RequestHandler {
  const limits = new Map(ctx.config.callers.map((c) => [c.id, { perSecond: c.maxRequestsPerSecond, burst: c.burst }]));

  async function limit(res: Response): Promise<void> {
    const caller = callerOf(res);
    const l = limits.get(caller.id);
    if (!l) throw new TypeError(`caller ${caller.id} has no rate in the config`);
    const slot = await dependency(rate.take(caller.id, ctx.now(), l.perSecond, l.burst));
    if (slot.ok) return;
    ctx.metrics.countRejection({ limit: 'caller_rate', caller: caller.id });
    throw tooManyRequests(`caller ${caller.id} exceeded ${fmt(l.perSecond)} requests/s (burst ${fmt(l.burst)})`, slot.retryInMs / 1000, {
      limit: 'caller_rate',
      caller: caller.id,
      max_requests_per_second: l.perSecond,
      burst: l.burst,
    });
  }

  return (req: Request, res: Response, next: NextFunction) => {
    authenticate(req, res, (err?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      limit(res).then(() => next(), next);
    });
  };
}

/**
 * Refuses early when the tenant's backlog (pending items plus lines not yet coalesced) leaves
 * no room for even one item: before a body is read, a full tenant costs the caller one round
 * trip, not an upload. The exact check, with the request's item count, is `admit`'s.
 */
export async function checkBacklog(ctx: ApiContext, caller: Caller, tenant: TenantConfig): Promise<void> {
  const backlog = await dependency(ctx.store.backlog(tenant.id));
  // the count of incoming items is not known yet: 0, so the refusal does not name one
  if (backlog >= tenant.maxBacklogItems) throw await backlogFull(ctx, caller, tenant, backlog, 0);
}

/**
 * How long an upload holds its place among its caller's open uploads, and its lines in its
 * tenant's backlog, without a renewal: the API renews both every third of it while the body is
 * read, so only an API that died mid-upload lets a lease run out, freeing them within a minute.
 */
export const UPLOAD_LEASE_MS = 60_000;

/**
 * Opens one of the caller's uploads (maxOpenUploads, all API replicas together), before a byte
 * of the body is read; 429 with details.limit caller_uploads beyond it. Returns its closer.
 */
export async function openUpload(ctx: ApiContext, caller: Caller, tenantId: string, requestId: string): Promise<() => Promise<void>> {
  const limit = ctx.config.callers.find((c) => c.id === caller.id)?.maxOpenUploads ?? 1;
  const res = await dependency(ctx.uploads.open(caller.id, requestId, { now: ctx.now(), leaseMs: UPLOAD_LEASE_MS, limit }));
  if (!res.ok) {
    ctx.metrics.countRejection({ limit: 'caller_uploads', caller: caller.id });
    throw tooManyRequests(`caller ${caller.id} already has ${fmt(res.open)} uploads open, its limit; send the next when one ends`, 1, {
      limit: 'caller_uploads',
      caller: caller.id,
      max_open_uploads: limit,
    });
  }
  // while the body is read, both leases move on; best effort: a missed renewal only frees early
  const renewal = setInterval(() => {
    const endsAt = ctx.now() + UPLOAD_LEASE_MS;
    void ctx.uploads.renew(caller.id, requestId, endsAt).catch(() => undefined);
    void ctx.store.renewUpload(tenantId, requestId, endsAt).catch(() => undefined);
  }, ctx.realMs(UPLOAD_LEASE_MS / 3)); // the lease is clock time: at CLOCK_RATE 300 it lasts 0.2 wall s
  renewal.unref();
  return async () => {
    clearInterval(renewal);
    // best effort: the lease frees the place anyway
    await ctx.uploads.close(caller.id, requestId).catch(() => undefined);
  };
}

/**
 * Takes one of the caller's retained requests (maxRetainedRequests, all API replicas together)
 * for `requestId`, before its body is read: a request holds it from acceptance for the retention
 * period. 429 with details.limit caller_requests beyond it. Returns its release, for a request
 * that ends up not recorded (refused, or a replay of an earlier one).
 */
export async function retainRequest(ctx: ApiContext, caller: Caller, requestId: string, retentionSeconds: number): Promise<() => Promise<void>> {
  const limit = ctx.config.callers.find((c) => c.id === caller.id)?.maxRetainedRequests ?? 1;
  const res = await dependency(ctx.retained.open(caller.id, requestId, { now: ctx.now(), leaseMs: retentionSeconds * 1000, limit }));
  if (!res.ok) {
    ctx.metrics.countRejection({ limit: 'caller_requests', caller: caller.id });
    const days = ctx.config.statusTtlDays;
    throw tooManyRequests(`caller ${caller.id} has ${fmt(res.open)} requests kept, its limit for ${fmt(days)} days; send fewer, larger requests`,
      // a place frees when the oldest request's retention ends; the exact instant is not read here
      3600, { limit: 'caller_requests', caller: caller.id, max_retained_requests: limit, retention_days: days });
  }
  // best effort: the lease frees the place anyway when the retention ends
  return () => ctx.retained.close(caller.id, requestId).catch(() => undefined);
}

/**
 * Records the request only if the tenant's backlog has room for its items, atomically across
 * replicas (store.create with the cap). Throws 429 when it has not, or 413 when the request
 * alone is larger than the cap, which no wait would cure.
 */
export async function admit(
  ctx: ApiContext,
  caller: Caller,
  tenant: TenantConfig,
  record: Parameters<ApiContext['store']['create']>[0],
  retentionSeconds: number,
): Promise<void> {
  const res: Admission = await dependency(ctx.store.create(record, retentionSeconds, tenant.maxBacklogItems, ctx.now()));
  if (!res.admitted) throw await backlogFull(ctx, caller, tenant, res.backlog, record.received);
}

/**
 * The refusal of a full backlog. Retry-After: while today's budget is spent nothing leaves the
 * backlog before the reset, so the seconds until then; otherwise coalescing and sending free
 * room continuously, so a modest BACKLOG_RETRY_SECONDS.
 */
export async function backlogFull(ctx: ApiContext, caller: Caller, tenant: TenantConfig, backlog: number, incoming: number): Promise<HttpError> {
  const cap = tenant.maxBacklogItems;
  if (incoming > cap) {
    return new HttpError(ERROR_CODES.PAYLOAD_TOO_LARGE,
      `a request of ${fmt(incoming)} items is larger than tenant ${tenant.id}'s backlog cap of ${fmt(cap)} items; split it`, 413,
      { limit: 'tenant_backlog', tenant: tenant.id, max_backlog_items: cap, incoming_items: incoming });
  }
  ctx.metrics.countRejection({ limit: 'tenant_backlog', caller: caller.id, tenant: tenant.id });
  const message = backlog >= cap
    ? `tenant ${tenant.id} backlog of ${fmt(backlog)} items is at its cap of ${fmt(cap)}`
    : `tenant ${tenant.id} backlog of ${fmt(backlog)} items plus this request's ${fmt(incoming)} would exceed its cap of ${fmt(cap)}`;
  return tooManyRequests(message, await backlogRetrySeconds(ctx, tenant), {
    limit: 'tenant_backlog',
    tenant: tenant.id,
    backlog_items: backlog,
    max_backlog_items: cap,
    ...(incoming > 0 && { incoming_items: incoming }),
  });
}

/**
 * The refusal of a chunk the tenant's staged bytes (maxStagedBytes) have no room for: 429, as the
 * worker coalescing what is staged frees room within moments (413 for a chunk larger than the cap
 * alone, which no wait would cure).
 */
export function stagedBytesFull(ctx: ApiContext, caller: Caller, tenant: TenantConfig, staged: number, incoming: number): HttpError {
  const cap = tenant.maxStagedBytes;
  const details = { limit: 'tenant_staged_bytes', tenant: tenant.id, staged_bytes: staged, max_staged_bytes: cap, incoming_bytes: incoming };
  if (incoming > cap) {
    return new HttpError(ERROR_CODES.PAYLOAD_TOO_LARGE, `a chunk of ${fmt(incoming)} bytes is larger than tenant ${tenant.id}'s staging cap of ${fmt(cap)} bytes`, 413, details);
  }
  ctx.metrics.countRejection({ limit: 'tenant_staged_bytes', caller: caller.id, tenant: tenant.id });
  return tooManyRequests(
    `tenant ${tenant.id} has ${fmt(staged)} bytes of uploads waiting to be queued; with this upload's next ${fmt(incoming)} they would exceed its cap of ${fmt(cap)} bytes`,
    BACKLOG_RETRY_SECONDS, details,
  );
}

async function backlogRetrySeconds(ctx: ApiContext, tenant: TenantConfig): Promise<number> {
  const now = ctx.now();
  const day = budgetDay(now, tenant.timezone);
  // a hint only: if Redis cannot say, the modest default is still a fair answer
  const used = await ctx.store.budget(tenant.id, day.dayId).then((b) => b.used, () => 0);
  return used >= tenant.dailyLimit ? Math.max(1, (day.resetsAt - now) / 1000) : BACKLOG_RETRY_SECONDS;
}
