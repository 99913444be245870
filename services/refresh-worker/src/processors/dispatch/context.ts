/**
 * What the steps of a dispatch run share: the processor's dependencies and settings (one
 * `DispatchContext` a processor), the job run (`Run`, once its tenant is known), and the attempt
 * a run makes on the batch it holds (`Attempt`). Each step takes the one object it needs.
 */
import type { Job } from 'bullmq';
import type { BudgetDay } from '@refresh/core';
import { callerWeights, type AppConfig, type TenantConfig } from '@refresh/config';
import type { BatchRecord, BudgetContext, DispatchJob, TenantGate } from '@refresh/store';
import type { RefreshVerdict } from '@refresh/vod-client';
import type { Logger } from 'pino';
import type { CallTrace } from '../../upstream/call-trace';
import type { ProcessorDeps } from '../processor-deps';

export type RefreshCaller = (tenant: TenantConfig, kind: 'asset_id' | 'url', items: string[]) => Promise<RefreshVerdict>;

export interface DispatchDeps extends ProcessorDeps {
  config: AppConfig;
  call: RefreshCaller;
  /** pause, throttle, call pacing and quota state shared by every replica */
  gate: TenantGate;
  /** drops the tenant's cached IAM token (after APIGW.0307) */
  invalidateToken: (tenant: TenantConfig) => Promise<void>;
  /** a probe lifted the tenant's pause: wakes what waited for it elsewhere (result polls) */
  onResume?: (tenantId: string) => Promise<void>;
  /** true once the worker is shutting down: a job waiting for the pace hands itself back */
  stopping?: () => boolean;
  /** tracing is on: each call is a span linked to its requests, with what it waited on */
  tracing?: boolean;
}

/** The processor's dependencies, with what it reads from the config once. */
export interface DispatchContext extends DispatchDeps {
  tenants: ReadonlyMap<string, TenantConfig>;
  /** each tenant's callers and their weights, for the fair sharing of its budget between them */
  weights: ReadonlyMap<string, Record<string, number>>;
  retentionSeconds: number;
  maxAttempts: number;
  /** how close to the tenant's midnight no call may start (see claimWhenDue) */
  midnightGuardMs: number;
}

/** Budget counters outlive their day so a late refund still finds its counter. */
export const BUDGET_TTL_SECONDS = 3 * 86_400;
/** Slack for clock skew between us and VOD when keeping calls away from midnight. */
const MIDNIGHT_MARGIN_MS = 2_000;

export function dispatchContext(deps: DispatchDeps): DispatchContext {
  const { config } = deps;
  return {
    ...deps,
    tenants: new Map(config.tenants.map((t) => [t.id, t])),
    weights: new Map(config.tenants.map((t) => [t.id, callerWeights(config, t.id)])),
    retentionSeconds: Math.round(config.statusTtlDays * 86_400),
    maxAttempts: config.upstream.maxAttempts,
    midnightGuardMs: config.upstream.connectTimeoutMs + config.upstream.timeoutMs + MIDNIGHT_MARGIN_MS,
  };
}

/** The job of a run, and the lock token BullMQ moves it with. */
export interface JobHandle {
  job: Job<DispatchJob>;
  token: string | undefined;
}

/** One run of a dispatch job for a tenant this replica knows. The batch it sends has the job's id. */
export interface Run extends JobHandle {
  ctx: DispatchContext;
  trace: CallTrace;
  tenant: TenantConfig;
  batchId: string;
}

/** A run that holds its batch and spends an attempt on it. */
export interface Attempt extends Run {
  batch: BatchRecord;
  budget: BudgetContext;
  day: BudgetDay;
  /** worker clock at the claim */
  now: number;
  /** this job is the one probe of a paused tenant */
  probing: boolean;
  /** the claim took this call's slot; a retry or a rerun takes its own (cleared once used) */
  slotHeld: boolean;
  /** marked waiting (for a budget reset) by an earlier run of this job; this run marks it only on its way out, and its call ends the wait */
  waiting: boolean;
  /** this attempt's number, from 1 */
  attempt: number;
  log: Logger;
}
