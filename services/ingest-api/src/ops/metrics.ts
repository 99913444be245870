import type { ItemKind } from '@refresh/core';
import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Route labels: a fixed set, named by the routes themselves, never taken from the URL. */
export const ROUTE_NAMES = [
  'ingest',
  'dropin_refresh',
  'dropin_results',
  'request_status',
  'request_items',
  'budget',
  'spend',
  'healthz',
  'readyz',
  'metrics',
  'docs',
  'admin',
  'admin_cancel',
  'admin_requeue',
  'unmatched',
] as const;
export type RouteName = (typeof ROUTE_NAMES)[number];

/**
 * A 429 of a limit (admission.ts), as refresh_api_rejections_total counts it. Both ids are the
 * config's (the authenticated caller, the tenant it was authorised for), never a value taken
 * from the request. caller_rate has no tenant: the rate is the caller's over all its tenants,
 * taken at authentication, before any tenant named in the path has been checked. auth_failures
 * has neither: the key was not checked; the address it came from is never a label.
 */
export type Rejection =
  | { limit: 'auth_failures' }
  | { limit: 'caller_rate'; caller: string }
  | { limit: 'caller_uploads'; caller: string }
  | { limit: 'caller_requests'; caller: string }
  | { limit: 'tenant_backlog'; caller: string; tenant: string }
  | { limit: 'tenant_staged_bytes'; caller: string; tenant: string };

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const itemsReceived = new Counter({
    name: 'refresh_api_items_received_total',
    help: 'Items accepted in refresh requests, duplicates included',
    labelNames: ['tenant', 'kind'] as const,
    registers: [registry],
  });
  const requests = new Counter({
    name: 'refresh_api_requests_total',
    help: 'HTTP requests answered, by route and status code',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'refresh_api_rejections_total',
    help: 'Requests refused with 429, by the limit that was hit (auth_failures, caller_rate, caller_uploads, caller_requests, tenant_backlog or tenant_staged_bytes), the caller refused (none for auth_failures) and, for the tenant limits, the tenant',
    labelNames: ['limit', 'caller', 'tenant'] as const,
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'refresh_api_auth_failures_total',
    help: 'Keys presented and refused (401), callers\' and the admin\'s; they count towards the per-address limit (authFailures)',
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'refresh_api_request_duration_seconds',
    help: 'Time from the request arriving to its answer being sent',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });

  /** Records every answered request under the route name set by `routeName`. */
  const middleware: RequestHandler = (_req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      const route = (res.locals.route as RouteName | undefined) ?? 'unmatched';
      requests.inc({ route, status: String(res.statusCode) });
      end({ route });
    });
    next();
  };

  return {
    registry,
    middleware,
    countRejection(rejection: Rejection): void {
      rejections.inc(rejection);
    },
    countAuthFailure(): void {
      authFailures.inc();
    },
    countItems(tenant: string, byKind: Record<ItemKind, number>): void {
      for (const kind of Object.keys(byKind) as ItemKind[]) {
        if (byKind[kind] > 0) itemsReceived.inc({ tenant, kind }, byKind[kind]);
      }
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

export function routeName(name: RouteName): RequestHandler {
  return (_req, res, next) => {
    res.locals.route = name;
    next();
  };
}
