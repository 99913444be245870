import { Router } from 'express';
import { callerOf, tenantFor } from '../auth';
import { budgetState } from '../budget-state';
import type { ApiContext } from '../context';
import { routeName } from '../metrics';

/** GET /v1/tenants/:tenant/budget: today's budget in the tenant's time zone. */
export function budgetRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/v1/tenants/:tenant/budget', routeName('budget'), ctx.authenticate, async (req, res) => {
    const tenant = tenantFor(ctx.config, callerOf(res), String(req.params.tenant));
    const b = await budgetState(ctx.store, tenant, ctx.now());
    res.json({
      daily_limit: b.dailyLimit,
      used: b.used,
      remaining: b.remaining,
      resets_at: new Date(b.resetsAt).toISOString(),
      pending: b.pending,
    });
  });
  return router;
}
