import { reserveHeldBack, reserveRule } from '@refresh/core';
import { Router } from 'express';
import { callerOf, tenantFor } from '../auth/auth';
import { budgetState } from '../views/budget-state';
import type { ApiContext } from '../context';
import { estimateFields } from '../views/estimate';
import { gateState, pauseView } from '../views/gate-state';
import { routeName } from '../ops/metrics';
import { attribution } from '../views/spend-view';

/**
 * GET /v1/tenants/:tenant/budget: today's budget in the tenant's time zone, and whether sending
 * is paused (`paused`, always present) or throttled by VOD (`throttled_until`, only while it is),
 * and when the whole backlog pending now will have gone out and got VOD's verdict.
 */
export function budgetRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/v1/tenants/:tenant/budget', routeName('budget'), ctx.authenticate, async (req, res) => {
    const tenant = tenantFor(ctx.config, callerOf(res), String(req.params.tenant));
    const now = ctx.now();
    const [b, g] = await Promise.all([budgetState(ctx.store, tenant, now), gateState(ctx.gate, tenant.id, now)]);
    const rule = reserveRule(tenant.reserve, b.resetsAt);
    const { byCaller, unattributed } = attribution(b.charges, b.used);
    res.json({
      daily_limit: b.dailyLimit,
      used: b.used,
      remaining: b.remaining,
      resets_at: new Date(b.resetsAt).toISOString(),
      pending: b.pending,
      scheduled: {
        requests: b.scheduled.requests,
        items: b.scheduled.items,
        next_at: b.scheduled.nextAt === null ? null : new Date(b.scheduled.nextAt).toISOString(),
      },
      spent_by_caller: byCaller,
      unattributed,
      reserve: {
        high: tenant.reserve.high,
        releases_at: new Date(rule.releaseAt).toISOString(),
        held_back: reserveHeldBack(rule, b.remaining, 'normal', now),
      },
      paused: g.paused && pauseView(g.paused),
      ...(g.throttledUntil !== null && { throttled_until: new Date(g.throttledUntil).toISOString() }),
      // lines of requests still being coalesced are not counted: that would cost a scan of requests
      ...estimateFields(ctx.config, tenant, b.pending > 0 ? b.pending : null, b, g, now),
    });
  });
  return router;
}
