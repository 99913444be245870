import { itemsQuery } from '@refresh/contract';
import { tenantOfRequest, type RequestRecord } from '@refresh/store';
import { Router, type Response } from 'express';
import { callerOf } from '../auth/auth';
import { budgetState } from '../views/budget-state';
import type { ApiContext } from '../context';
import { badFields, dependency, notFound } from '../http/errors';
import { requestOutlook } from '../views/estimate';
import { routeName } from '../ops/metrics';
import { describeRequest } from '../views/request-view';

/**
 * GET /v1/refresh-requests/:id and its items. The tenant comes from the id; an id the caller
 * may not see answers 404 exactly like an unknown one, so ids of other tenants are never confirmed.
 */
export function statusRoutes(ctx: ApiContext): Router {
  const router = Router();

  async function visibleRequest(id: string, res: Response) {
    // one answer, word for word, for an id that is malformed, of an unknown tenant, of a tenant
    // the caller may not use, or unknown in its own: nothing about other tenants is confirmed
    const unknown = () => notFound('unknown request');
    const tenantId = tenantOfRequest(id);
    const tenant = ctx.config.tenants.find((t) => t.id === tenantId);
    if (!tenant || !callerOf(res).tenants.has(tenant.id)) throw unknown();
    const record: RequestRecord | null = await dependency(ctx.store.get(id));
    if (record === null) throw unknown();
    return { tenant, record };
  }

  router.get('/v1/refresh-requests/:id', routeName('request_status'), ctx.authenticate, async (req, res) => {
    const { tenant, record } = await visibleRequest(String(req.params.id), res);
    const { budget, estimate } = await requestOutlook(ctx, tenant, record.requestId, ctx.now());
    res.json(describeRequest(record, budget, estimate));
  });

  router.get('/v1/refresh-requests/:id/items', routeName('request_items'), ctx.authenticate, async (req, res) => {
    const q = itemsQuery.safeParse(req.query);
    if (!q.success) {
      throw badFields('bad query', q.error.issues, '(query)');
    }
    const { tenant } = await visibleRequest(String(req.params.id), res);
    const [page, budget] = await Promise.all([
      dependency(ctx.store.items(String(req.params.id), q.data.cursor, q.data.limit)),
      budgetState(ctx.store, tenant, ctx.now()),
    ]);
    const items = page.items.map((item) => (item.state === 'pending' && budget.spent ? { ...item, state: 'deferred' as const } : item));
    res.json({ items, next_cursor: page.next === null ? null : String(page.next) });
  });

  return router;
}
