import { createServer, type Server } from 'node:http';
import { ERROR_CODES, bearerTokenMatches } from '@refresh/core';
import type { Registry } from 'prom-client';

/** What /readyz answers: the status, and details an operator should see (paused tenants). */
export interface Readiness {
  ready: boolean;
  details?: Record<string, unknown>;
}

/**
 * The worker's small HTTP face: /healthz (alive), /readyz (Redis answers, config loaded) and
 * /metrics. Plain node:http; the worker serves nothing else. /metrics names every tenant, so
 * with `metricsTokenSha256` (the config's metrics.bearerTokenSha256) it asks for that bearer token.
 */
export function createHealthServer(registry: Registry, ready: () => Promise<boolean | Readiness>, metricsTokenSha256?: string) {
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const route = (req.url ?? '').split('?')[0];
    if (route === '/healthz') return send(200, '{"status":"ok"}');
    if (route === '/readyz') {
      ready().then(
        (r) => {
          const { ready: ok, details } = typeof r === 'boolean' ? { ready: r, details: undefined } : r;
          send(ok ? 200 : 503, JSON.stringify({ status: ok ? 'ready' : 'unavailable', ...(details && { details }) }));
        },
        () => send(503, '{"status":"unavailable"}'),
      );
      return;
    }
    if (route === '/metrics') {
      if (!bearerTokenMatches(req.headers.authorization, metricsTokenSha256)) {
        res.setHeader('www-authenticate', 'Bearer');
        return send(401, '{"error_code":"RFS.0004","error_msg":"missing or wrong metrics token"}');
      }
      registry.metrics().then((text) => send(200, text, registry.contentType), () => send(500, ''));
      return;
    }
    send(404, JSON.stringify({ error_code: ERROR_CODES.NOT_FOUND, error_msg: 'not found' }));
  });
  return {
    start(port: number, host = '0.0.0.0'): Promise<number> {
      return new Promise((resolve) => server.listen(port, host, () => resolve((server.address() as { port: number }).port)));
    },
    stop(): Promise<void> {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
