import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '@refresh/config';
import { createRequestStore, createTenantGate } from '@refresh/store';
import type { Queue } from 'bullmq';
import express from 'express';
import type { Redis } from 'ioredis';
import type pino from 'pino';
import { adminRoutes } from './admin';
import { createAuthenticate } from './auth';
import type { ApiContext } from './context';
import { errorHandler, unknownRoute } from './errors';
import { createMetrics } from './metrics';
import { requestLogging } from './request-log';
import { budgetRoutes } from './routes/budget';
import { healthRoutes } from './routes/health';
import { ingestRoutes } from './routes/ingest';
import { statusRoutes } from './routes/status';

export interface ApiDeps {
  config: AppConfig;
  /** a connection made by createRedis(url, 'api'): fails fast, so outages answer 503 */
  redis: Redis;
  /** `dispatch` is only shown in the queue UI (/admin/queues); the API never adds to it */
  queues: { ingest: Queue; dispatch?: Queue };
  logger: pino.Logger;
  /** epoch ms; tests and CLOCK_OFFSET_MS move it */
  now?: () => number;
}

export interface Api {
  app: express.Express;
  start(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Stops accepting connections and resolves once in-flight requests have ended. Safe to call twice. */
  stop(): Promise<void>;
}

export function createApi(deps: ApiDeps): Api {
  const { config } = deps;
  const ctx: ApiContext = {
    config,
    redis: deps.redis,
    store: createRequestStore(deps.redis, config.env.KEY_PREFIX),
    gate: createTenantGate(deps.redis, config.env.KEY_PREFIX),
    queues: deps.queues,
    logger: deps.logger,
    metrics: createMetrics(),
    authenticate: createAuthenticate(config),
    now: deps.now ?? Date.now,
  };

  let server: Server | undefined;
  let stopping: Promise<void> | undefined;

  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogging(ctx.logger));
  app.use(ctx.metrics.middleware);
  // Requests being answered, so that stop() can end their connections once they are answered.
  const inFlight = new Set<express.Response>();
  app.use((_req, res, next) => {
    inFlight.add(res);
    res.on('close', () => {
      inFlight.delete(res);
      // a keep-alive connection that just went idle would otherwise hold server.close() open
      if (stopping) setImmediate(() => server?.closeIdleConnections());
    });
    if (stopping) res.set('Connection', 'close');
    next();
  });
  app.use(healthRoutes(ctx));
  app.use(ingestRoutes(ctx));
  app.use(statusRoutes(ctx));
  app.use(budgetRoutes(ctx));
  const admin = adminRoutes(config.admin.apiKeySha256, [deps.queues.ingest, ...(deps.queues.dispatch ? [deps.queues.dispatch] : [])]);
  if (admin) app.use(admin);
  app.use(unknownRoute);
  app.use(errorHandler(ctx.logger));

  return {
    app,

    start(port = config.env.PORT, host?: string) {
      if (server) return Promise.reject(new Error('the API is already started'));
      const s = createServer(app);
      server = s;
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          const addr = s.address() as AddressInfo;
          const shown = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
          ctx.logger.info({ port: addr.port, host: host ?? '(all)' }, 'ingest API listening');
          resolve({ port: addr.port, url: `http://${shown}:${addr.port}` });
        });
      });
    },

    stop() {
      stopping ??= new Promise<void>((resolve, reject) => {
        const s = server;
        if (!s?.listening) {
          resolve();
          return;
        }
        s.close((err) => (err ? reject(err) : resolve()));
        for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
        // keep-alive sockets with no request in flight would otherwise hold close() open
        s.closeIdleConnections();
      });
      return stopping;
    },
  };
}
