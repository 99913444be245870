import { MAX_SPEND_DAYS, spendQuery } from '@refresh/contract';
import { budgetDay } from '@refresh/core';
import { Router } from 'express';
import { callerOf, tenantFor } from '../auth/auth';
import type { ApiContext } from '../context';
import { badFields, badRequest, dependency } from '../http/errors';
import { routeName } from '../ops/metrics';
import { daysBetween, spendCsv, spendDayView } from '../views/spend-view';

/**
 * GET /v1/tenants/:tenant/spend?from=&to=: the spend ledger of each budget day in the range (the
 * tenant's time zone; default today), as JSON or, for `Accept: text/csv`, as CSV.
 */
export function spendRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/v1/tenants/:tenant/spend', routeName('spend'), ctx.authenticate, async (req, res) => {
    const tenant = tenantFor(ctx.config, callerOf(res), String(req.params.tenant));
    const q = spendQuery.safeParse(req.query);
    if (!q.success) throw badFields('bad query', q.error.issues, '(query)');
    const to = q.data.to ?? budgetDay(ctx.now(), tenant.timezone).dayId;
    const from = q.data.from ?? to;
    if (from > to) throw badRequest('from is after to', [{ field: 'from', reason: `must not be after to (${to})` }]);
    const days = daysBetween(from, to);
    if (days.length > MAX_SPEND_DAYS) {
      throw badRequest(`at most ${MAX_SPEND_DAYS} days at a time`, [{ field: 'from', reason: `the range holds ${days.length} days` }]);
    }
    const views = (await dependency(ctx.store.spend(tenant.id, days))).map((d) => spendDayView(d, tenant.dailyLimit));
    if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
      const callers = ctx.config.callers.filter((c) => c.tenants.includes(tenant.id)).map((c) => c.id).sort();
      res.type('text/csv').send(spendCsv(views, callers));
      return;
    }
    res.json({ tenant: tenant.id, days: views });
  });
  return router;
}
