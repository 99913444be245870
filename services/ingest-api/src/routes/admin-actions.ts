import type { CancelResultBody, RequeueResultBody } from '@refresh/contract';
import { createAdminStore, createCompletionStore, relayCompletions, tenantOfRequest, wakeDispatch } from '@refresh/store';
import type { Queue } from 'bullmq';
import { Router, type Request, type Response } from 'express';
import { adminAuthenticate } from './admin';
import type { ApiContext } from '../context';
import { conflict, dependency, notFound } from '../http/errors';
import { routeName } from '../ops/metrics';
import { logOf } from '../http/request-log';
import { requestOutlook } from '../views/estimate';
import { describeRequest } from '../views/request-view';

/**
 * Operators' actions on one request (POST /v1/admin/refresh-requests/:id/cancel and
 * /requeue-failed), behind the admin key as Bearer. Without an admin key in the config the routes
 * are not mounted, so they answer 404 like any unknown path: the same as the queue UI, and it
 * tells a scanner nothing about a feature that is off.
 *
 * Every action taken or refused after authentication writes one audit line (info, `audit: true`)
 * with the action, request, tenant, outcome and the client's address; the request logger adds
 * the request id. The key itself never reaches the log (the authorization header is redacted).
 */
export function adminActionRoutes(ctx: ApiContext, keySha256: string | undefined): Router | null {
  if (!keySha256) return null;
  const auth = ctx.limitAuthFailures(adminAuthenticate(keySha256, { basic: false }));
  const admin = createAdminStore(ctx.redis, ctx.config.env.KEY_PREFIX);
  const outbox = createCompletionStore(ctx.redis, ctx.config.env.KEY_PREFIX);
  const retentionSeconds = Math.round(ctx.config.statusTtlDays * 86_400);
  const router = Router();

  function audit(req: Request, res: Response, action: string, requestId: string, outcome: Record<string, unknown>) {
    logOf(res, ctx.logger).info(
      { audit: true, action, requestId, tenant: tenantOfRequest(requestId), outcome, client: req.ip },
      'admin action',
    );
  }

  /** The request's state as callers see it, after the action. */
  async function view(requestId: string) {
    const record = await dependency(ctx.store.get(requestId));
    const tenant = record && ctx.config.tenants.find((t) => t.id === record.tenant);
    if (!record || !tenant) return null;
    const { budget, estimate } = await requestOutlook(ctx, tenant, requestId, ctx.now());
    return describeRequest(record, budget, estimate);
  }

  /** Ids of tenants missing from the config (removed since) answer 404 before anything changes. */
  function knownRequest(req: Request, res: Response, action: string): string {
    const requestId = String(req.params.id);
    const tenant = tenantOfRequest(requestId);
    if (!tenant || !ctx.config.tenants.some((t) => t.id === tenant)) {
      audit(req, res, action, requestId, { result: 'missing' });
      throw notFound('unknown request');
    }
    return requestId;
  }

  /** A queue the admin actions add jobs to; the API's main always passes them. */
  function queue(name: 'dispatch' | 'completions'): Queue {
    const q = ctx.queues[name];
    if (!q) throw new Error(`the API was built without the ${name} queue, which admin actions add jobs to`);
    return q;
  }

  router.post('/v1/admin/refresh-requests/:id/cancel', routeName('admin_cancel'), auth, async (req, res) => {
    const requestId = knownRequest(req, res, 'cancel');
    const result = await dependency(admin.cancel(requestId, { now: ctx.now(), ttlSeconds: retentionSeconds }));
    if (result.status === 'missing') {
      audit(req, res, 'cancel', requestId, { result: 'missing' });
      throw notFound('unknown request');
    }
    // this call ended their last open items, which put their completions in the outbox: they are
    // relayed to the completions queue (retention, webhook) as the worker relays those it makes
    if (result.completedRequests.length > 0) await dependency(relayCompletions(outbox, queue('completions'), result.tenant));
    // canceled ids stay in their queue until a claim drops them (claim-batch.lua); a claim now
    // drops those at the heads, even when today's budget is spent, so the queue gauges and the
    // oldest-pending age stop counting them
    if (result.canceled > 0) await dependency(wakeDispatch(queue('dispatch'), result.tenant, ctx.config.upstream.maxAttempts));
    const outcome = { canceled: result.canceled, kept_shared: result.keptShared, not_ingested: result.notIngested };
    audit(req, res, 'cancel', requestId, { result: 'ok', ...outcome, completed_requests: result.completedRequests.length });
    const v = await view(requestId);
    if (!v) throw notFound('unknown request');
    const body: CancelResultBody = { request_id: requestId, tenant: result.tenant, ...outcome, status: v.status, counts: v.counts };
    res.json(body);
  });

  router.post('/v1/admin/refresh-requests/:id/requeue-failed', routeName('admin_requeue'), auth, async (req, res) => {
    const requestId = knownRequest(req, res, 'requeue_failed');
    const result = await dependency(admin.requeueFailed(requestId, { now: ctx.now() }));
    if (result.status !== 'ok') {
      audit(req, res, 'requeue_failed', requestId, { result: result.status });
      if (result.status === 'missing') throw notFound('unknown request');
      if (result.status === 'canceled') throw conflict('the request was canceled; submit a new request for its items');
      throw conflict('the request has just completed and its completion is still being recorded; retry in a few seconds');
    }
    if (result.requeued > 0) await dependency(wakeDispatch(queue('dispatch'), result.tenant, ctx.config.upstream.maxAttempts));
    audit(req, res, 'requeue_failed', requestId, { result: 'ok', requeued: result.requeued, reopened: result.reopened });
    const v = await view(requestId);
    if (!v) throw notFound('unknown request');
    const body: RequeueResultBody = { request_id: requestId, tenant: result.tenant, requeued: result.requeued, status: v.status, counts: v.counts };
    res.json(body);
  });

  return router;
}
