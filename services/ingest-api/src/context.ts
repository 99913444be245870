import type { AppConfig } from '@refresh/config';
import type { RequestStore, TenantGate } from '@refresh/store';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Metrics } from './metrics';

/** What every route needs, built once by createApi. */
export interface ApiContext {
  config: AppConfig;
  redis: Redis;
  store: RequestStore;
  /** pauses and throttling of tenants, as the worker records them */
  gate: TenantGate;
  queues: { ingest: Queue };
  logger: Logger;
  metrics: Metrics;
  authenticate: RequestHandler;
  now: () => number;
}
