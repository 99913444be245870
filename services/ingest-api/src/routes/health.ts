import { bearerTokenMatches } from '@refresh/core';
import { Router } from 'express';
import type { ApiContext } from '../context';
import { errorBody, storageUnavailable, unauthorized } from '../http/errors';
import { routeName } from '../ops/metrics';

/** ms Redis has to answer PING for the API to count as ready */
const READY_TIMEOUT_MS = 1000;

/**
 * Liveness, readiness and metrics. Probes call the first two without auth; /metrics names every
 * tenant and caller, so it asks for the scrape token when the config sets one (metrics.bearerTokenSha256).
 */
export function healthRoutes(ctx: ApiContext): Router {
  const router = Router();

  router.get('/healthz', routeName('healthz'), (_req, res) => {
    res.json({ status: 'ok' });
  });

  // a paused tenant is the upstream's verdict on that tenant, not a fault of the API: still
  // ready, with the pause named in the details; they are left out when the read fails
  router.get('/readyz', routeName('readyz'), async (_req, res) => {
    const [ready, paused] = await Promise.all([
      pingWithin(ctx, READY_TIMEOUT_MS),
      within(ctx.gate.pausedAmong(ctx.config.tenants.map((t) => t.id)), READY_TIMEOUT_MS).catch(() => null),
    ]);
    if (ready) {
      const details = paused && {
        paused_tenants: paused.map(({ tenant, pause }) => ({ tenant, reason: pause.reason, since: new Date(pause.since).toISOString() })),
      };
      res.json({ status: 'ok', ...(details && { details }) });
    } else {
      res.status(503).json(errorBody(storageUnavailable()));
    }
  });

  router.get('/metrics', routeName('metrics'), async (req, res) => {
    if (!bearerTokenMatches(req.get('authorization'), ctx.config.metrics.bearerTokenSha256)) throw unauthorized('missing or wrong metrics token');
    const text = await ctx.metrics.registry.metrics();
    res.type(ctx.metrics.registry.contentType).send(text);
  });

  return router;
}

function pingWithin(ctx: ApiContext, ms: number): Promise<boolean> {
  return within(ctx.redis.ping().then(() => true), ms).catch(() => false);
}

/** `p`, or a rejection once `ms` have passed */
async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
