import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * The job catalogue: queue → payload schema → options. Payload types are inferred from it, and
 * workers parse payloads with the same schemas, so a job written by an older API version that
 * no longer fits fails loudly instead of half-working.
 */
export const ingestJob = z.object({
  tenant: z.string(),
  requestId: z.string(),
  priority: z.enum(['high', 'normal', 'low']),
});
export const dispatchJob = z.object({ tenant: z.string() });
/**
 * On the ingest queue: starts the retention period of a completed request's item records, and
 * queues its completion webhook when it has a callback. `gen` counts the times the request was
 * reopened by an admin requeue (requeue-failed.lua), so each completion has jobs of its own;
 * absent on jobs of the first completion.
 */
export const retireJob = z.object({
  tenant: z.string(),
  requestId: z.string(),
  gen: z.number().int().min(0).optional(),
  /** epoch ms the request's last item became final; absent in jobs of older workers */
  completedAt: z.number().optional(),
});
/** On the webhooks queue: POSTs a completed request's signed summary to its callback_url. */
export const webhookJob = z.object({
  tenant: z.string(),
  requestId: z.string(),
  completedAt: z.number(),
  /** the completion it reports (see retireJob) */
  gen: z.number().int().min(0).optional(),
});

/**
 * One retire job per completion of a request: BullMQ adds nothing under an id that still
 * exists, so a reopened request's next completion needs a new id. Generation 0 keeps the plain id.
 */
export function retireJobId(requestId: string, gen: number): string {
  return gen === 0 ? `retire.${requestId}` : `retire.${requestId}.g${gen}`;
}

/** The retire job of a request's completion `gen`, as the worker and the admin API add it. */
export function retireJobEntry(
  tenant: string,
  requestId: string,
  gen: number,
  completedAt?: number,
): { name: 'retire'; data: RetireJob; opts: JobsOptions } {
  return {
    name: 'retire',
    data: { tenant, requestId, ...(gen ? { gen } : {}), ...(completedAt !== undefined && { completedAt }) },
    opts: { ...INGEST_JOB_OPTIONS, jobId: retireJobId(requestId, gen) },
  };
}
/** On the results queue: follows an accepted batch's task (ShowRefreshResult) to VOD's verdict. */
export const pollJob = z.object({
  tenant: z.string(),
  batchId: z.string(),
  taskId: z.string(),
  /** epoch ms VOD accepted the batch; the polling gives up pollMaxAgeMs after it */
  acceptedAt: z.number(),
});

export type IngestJob = z.infer<typeof ingestJob>;
export type DispatchJob = z.infer<typeof dispatchJob>;
export type RetireJob = z.infer<typeof retireJob>;
export type PollJob = z.infer<typeof pollJob>;
export type WebhookJob = z.infer<typeof webhookJob>;

export const QUEUE_NAMES = { ingest: 'ingest', dispatch: 'dispatch', results: 'results', webhooks: 'webhooks' } as const;

export const INGEST_JOB_OPTIONS: JobsOptions = {
  // coalescing resumes where it stopped, so retrying is always safe
  attempts: 20,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Dispatch jobs carry at most one batch; retries of its upstream call are the job's attempts. */
export function dispatchJobOptions(maxAttempts: number): JobsOptions {
  return {
    attempts: maxAttempts,
    backoff: { type: 'jittered' },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/**
 * Poll jobs wait between polls with moveToDelayed, which uses no attempt; attempts are for
 * errors no poll outcome explains (Redis down, a bug), so a task is never dropped on one.
 */
export const POLL_JOB_OPTIONS: JobsOptions = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * One webhook job a completed request, its id derived from the request (`webhook.<id>`), so a
 * completion seen twice sends once. Each failed delivery is an attempt; the backoff is the
 * worker's (config `webhooks`). Finished jobs are kept a day so a late duplicate still finds
 * the id taken; the processor also skips a request whose delivery is already recorded.
 */
export function webhookJobOptions(maxAttempts: number, keepFailed: number): JobsOptions {
  return {
    attempts: maxAttempts,
    backoff: { type: 'jittered' },
    removeOnComplete: { age: 24 * 3600 },
    // a count as well as an age: receivers that fail for good would otherwise leave one job
    // (about 4 KB) per completion for a week, however many completions there are
    removeOnFail: { age: 7 * 24 * 3600, count: keepFailed },
  };
}

/** one webhook job per completion of a request, whoever adds it */
export const webhookJobId = (requestId: string, gen = 0) => (gen === 0 ? `webhook.${requestId}` : `webhook.${requestId}.g${gen}`);
