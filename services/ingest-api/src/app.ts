import { setMaxListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AppConfig } from '@refresh/config';
import { createAuthFailures, createCallerRate, createCallerRequests, createCallerUploads, createRequestStore, createTenantGate } from '@refresh/store';
import type { Queue } from 'bullmq';
import express from 'express';
import type { RedisClient } from '@refresh/store';
import type pino from 'pino';
import { adminRoutes } from './routes/admin';
import { withCallerRate } from './intake/admission';
import { adminActionRoutes } from './routes/admin-actions';
import { createAuthenticate } from './auth/auth';
import { withAuthFailureLimit } from './auth/auth-failures';
import type { ApiContext } from './context';
import { errorHandler, shuttingDown, unknownRoute } from './http/errors';
import { answerClientError, requireHost } from './http/http-refusals';
import { createMetrics } from './ops/metrics';
import { requestLogging } from './http/request-log';
import { budgetRoutes } from './routes/budget';
import { spendRoutes } from './routes/spend';
import { docsRoutes } from './routes/docs';
import { dropInRoutes } from './routes/drop-in';
import { healthRoutes } from './routes/health';
import { ingestRoutes } from './routes/ingest';
import { statusRoutes } from './routes/status';

/** ms after the grace for refused uploads to be answered and discarded before connections are cut */
export const STOP_MARGIN_MS = 3_000;

export interface ApiDeps {
  config: AppConfig;
  /** a connection made by createRedis(config.env, 'api'): fails fast, so outages answer 503 */
  redis: RedisClient;
  /**
   * `dispatch`, `completions` and `webhooks` are shown in the queue UI (/admin/queues); the API
   * adds to `dispatch` and `completions` only in admin actions
   */
  queues: { ingest: Queue; dispatch?: Queue; completions?: Queue; webhooks?: Queue };
  logger: pino.Logger;
  /** epoch ms; tests, CLOCK_OFFSET_MS and CLOCK_RATE move it */
  now?: () => number;
  /** wall ms that a span of `now`'s clock takes (core's Clock.realMs; CLOCK_RATE); the identity unless given */
  realMs?: (clockMs: number) => number;
}

export interface Api {
  app: express.Express;
  start(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /**
   * Stops accepting connections and resolves once in-flight requests have ended. Requests may
   * take `graceMs` (default SHUTDOWN_GRACE_MS); then uploads still arriving are refused with a
   * 503 and their staging discarded, and after STOP_MARGIN_MS more any connection left is cut.
   * Safe to call twice.
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** Ends a stop()'s grace now (a second SIGTERM): uploads still arriving are refused at once. */
  endGrace(): void;
}

export function createApi(deps: ApiDeps): Api {
  const { config } = deps;
  const graceOver = new AbortController();
  // every body being read listens here until it is whole (and takes its listener off again), so
  // 11 concurrent uploads are normal, not the leak Node's default limit of 10 warns about
  setMaxListeners(0, graceOver.signal);
  const metrics = createMetrics();
  const ctx: ApiContext = {
    config,
    redis: deps.redis,
    store: createRequestStore(deps.redis, config.env.KEY_PREFIX),
    gate: createTenantGate(deps.redis, config.env.KEY_PREFIX),
    uploads: createCallerUploads(deps.redis, config.env.KEY_PREFIX),
    retained: createCallerRequests(deps.redis, config.env.KEY_PREFIX),
    queues: deps.queues,
    logger: deps.logger,
    metrics,
    limitAuthFailures: withAuthFailureLimit({ config, metrics }, createAuthFailures(deps.redis, config.env.KEY_PREFIX)),
    authenticate: createAuthenticate(config),
    now: deps.now ?? Date.now,
    realMs: deps.realMs ?? ((clockMs) => clockMs),
    shutdown: graceOver.signal,
  };
  // an address over its limit of refused keys is refused before its key is checked; every
  // authenticated route then also takes a slot of its caller's request rate
  ctx.authenticate = withCallerRate(ctx, createCallerRate(deps.redis, config.env.KEY_PREFIX), ctx.limitAuthFailures(ctx.authenticate));

  let server: Server | undefined;
  let stopping: Promise<void> | undefined;
  // set by stop(): ends its grace early
  let endGrace: () => void = () => undefined;

  const app = express();
  app.disable('x-powered-by');
  // whose X-Forwarded-For names the client (TRUST_PROXY): req.ip is what the per-address limit counts by
  app.set('trust proxy', config.env.TRUST_PROXY);
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
  app.use(requireHost);
  app.use(healthRoutes(ctx));
  app.use(docsRoutes());
  app.use(ingestRoutes(ctx));
  app.use(dropInRoutes(ctx));
  app.use(statusRoutes(ctx));
  app.use(budgetRoutes(ctx));
  app.use(spendRoutes(ctx));
  const { ingest, dispatch, completions, webhooks } = deps.queues;
  const shown = [ingest, ...[dispatch, completions, webhooks].filter((q) => q !== undefined)];
  const admin = adminRoutes(config.admin.apiKeySha256, shown, ctx.limitAuthFailures);
  if (admin) app.use(admin);
  const adminActions = adminActionRoutes(ctx, config.admin.apiKeySha256);
  if (adminActions) app.use(adminActions);
  app.use(unknownRoute);
  app.use(errorHandler(ctx.logger, { bytes: config.ingest.refusalDrainBytes, ms: config.ingest.refusalDrainMs }));

  return {
    app,

    start(port = config.env.PORT, host?: string) {
      if (server) return Promise.reject(new Error('the API is already started'));
      // node's own refusals have no body; http-refusals.ts answers them in VOD's shape
      const s = createServer({ requireHostHeader: false }, app);
      s.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
        const answerStarted = [...inFlight].some((res) => res.socket === socket && res.headersSent);
        answerClientError(err, socket, answerStarted);
      });
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

    stop({ graceMs = config.env.SHUTDOWN_GRACE_MS } = {}) {
      stopping ??= new Promise<void>((resolve, reject) => {
        const s = server;
        if (!s?.listening) {
          resolve();
          return;
        }
        const timers: NodeJS.Timeout[] = [];
        s.close((err) => {
          timers.forEach(clearTimeout);
          if (err) reject(err);
          else resolve();
        });
        for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
        // keep-alive sockets with no request in flight would otherwise hold close() open
        s.closeIdleConnections();
        endGrace = () => {
          if (graceOver.signal.aborted) return;
          timers.forEach(clearTimeout);
          ctx.logger.warn({ inFlight: inFlight.size }, 'shutdown grace over: uploads still arriving are refused');
          graceOver.abort(shuttingDown());
          // a caller that does not read its answer must not hold the process
          timers.push(setTimeout(() => s.closeAllConnections(), STOP_MARGIN_MS));
        };
        timers.push(setTimeout(endGrace, graceMs));
      });
      return stopping;
    },

    endGrace() {
      endGrace();
    },
  };
}
