import type { AppConfig } from '@refresh/config';
import type { RequestStore, TenantGate, CallerRequests, CallerUploads } from '@refresh/store';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import type { RedisClient } from '@refresh/store';
import type { Logger } from 'pino';
import type { Metrics } from './ops/metrics';

/** What every route needs, built once by createApi. */
export interface ApiContext {
  config: AppConfig;
  redis: RedisClient;
  store: RequestStore;
  /** pauses and throttling of tenants, as the worker records them */
  gate: TenantGate;
  /** each caller's uploads being read (maxOpenUploads), across API replicas */
  uploads: CallerUploads;
  /** each caller's retained requests (maxRetainedRequests), across API replicas */
  retained: CallerRequests;
  /** `dispatch` and `completions` get jobs from admin actions only (a wake-up, a relayed completion) */
  queues: { ingest: Queue; dispatch?: Queue; completions?: Queue };
  logger: Logger;
  metrics: Metrics;
  authenticate: RequestHandler;
  /** wraps an authenticator in the per-address limit of refused keys (auth-failures.ts) */
  limitAuthFailures: (authenticate: RequestHandler) => RequestHandler;
  now: () => number;
  /** wall ms that `clockMs` of `now`'s clock take: for BullMQ delays derived from the clock */
  realMs: (clockMs: number) => number;
  /** aborts when the shutdown grace runs out: uploads still arriving stop with its reason (a 503) */
  shutdown: AbortSignal;
}
