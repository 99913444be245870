import { Router } from 'express';
import type { ApiContext } from '../context';
import { errorBody, storageUnavailable } from '../errors';
import { routeName } from '../metrics';

/** ms Redis has to answer PING for the API to count as ready */
const READY_TIMEOUT_MS = 1000;

/** Liveness, readiness and metrics: no auth, as probes and scrapers call them. */
export function healthRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get('/healthz', routeName('healthz'), (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', routeName('readyz'), async (_req, res) => {
    if (await pingWithin(ctx, READY_TIMEOUT_MS)) {
      res.json({ status: 'ok' });
    } else {
      res.status(503).json(errorBody(storageUnavailable()));
    }
  });

  router.get('/metrics', routeName('metrics'), async (_req, res) => {
    const text = await ctx.metrics.registry.metrics();
    res.type(ctx.metrics.registry.contentType).send(text);
  });

  return router;
}

async function pingWithin(ctx: ApiContext, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([ctx.redis.ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
