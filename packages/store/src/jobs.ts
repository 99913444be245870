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

export type IngestJob = z.infer<typeof ingestJob>;
export type DispatchJob = z.infer<typeof dispatchJob>;
export type RetireJob = z.infer<typeof retireJob>;

export const QUEUE_NAMES = { ingest: 'ingest', dispatch: 'dispatch' } as const;

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
