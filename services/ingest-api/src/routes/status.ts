import { tenantOfRequest, type RequestRecord } from '@refresh/store';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { callerOf, tenantFor } from '../auth';
import { budgetState } from '../budget-state';
import type { ApiContext } from '../context';
import { badRequest, dependency, notFound } from '../errors';
import { routeName } from '../metrics';
import { describeRequest } from '../request-view';

const itemsQuery = z.strictObject({
  cursor: z.string().regex(/^\d{1,15}$/, 'cursor must be a value returned as next_cursor').default('0').transform(Number),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'limit must be an integer from 1 to 1000')
    .default('100')
    .transform(Number)
    .pipe(z.number().min(1, 'limit must be at least 1').max(1000, 'limit must be at most 1000')),
});

/**
 * GET /v1/refresh-requests/:id and its items. The tenant comes from the id; an id the caller
 * may not see answers 404 exactly like an unknown one, so ids of other tenants are never confirmed.
 */
export function statusRoutes(ctx: ApiContext): Router {
  const router = Router();

  async function visibleRequest(id: string, res: Response) {
    const tenantId = tenantOfRequest(id);
    if (tenantId === null) throw notFound('unknown request');
    const tenant = tenantFor(ctx.config, callerOf(res), tenantId, true);
    const record: RequestRecord | null = await dependency(ctx.store.get(id));
    if (record === null) throw notFound('unknown request');
    return { tenant, record };
  }

  router.get('/v1/refresh-requests/:id', routeName('request_status'), ctx.authenticate, async (req, res) => {
    const { tenant, record } = await visibleRequest(String(req.params.id), res);
    const budget = await budgetState(ctx.store, tenant, ctx.now());
    res.json(describeRequest(record, budget));
  });

  router.get('/v1/refresh-requests/:id/items', routeName('request_items'), ctx.authenticate, async (req, res) => {
    const q = itemsQuery.safeParse(req.query);
    if (!q.success) {
      throw badRequest(
        'bad query',
        q.error.issues.map((i) => ({ field: i.path.join('.') || '(query)', reason: i.message })),
      );
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
