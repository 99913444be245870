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
/** On the ingest queue: starts the retention period of a completed request's item records. */
export const retireJob = z.object({ tenant: z.string(), requestId: z.string() });
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

export const QUEUE_NAMES = { ingest: 'ingest', dispatch: 'dispatch', results: 'results' } as const;

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
