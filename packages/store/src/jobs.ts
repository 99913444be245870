import type { JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';
import type { CompletionStore, PendingCompletion } from './completion-store';

/**
 * The job catalogue: queue → payload schema → options, and the functions that add each job, so
 * that the API, the worker and the admin actions add a given job one way. Payload types are
 * inferred from it, and workers parse payloads with the same schemas, so a job written by an
 * older API version that no longer fits fails loudly instead of half-working.
 */
export const ingestJob = z.object({
  tenant: z.string(),
  requestId: z.string(),
  priority: z.enum(['high', 'normal', 'low']),
});
export const dispatchJob = z.object({ tenant: z.string() });
/**
 * On the completions queue, one a completion in the outbox (relayCompletions): starts the
 * retention period of the completed request's item records, queues its completion webhook when
 * it has a callback, and marks the completion retired. `gen` counts the times the request was
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
 * One retire job per completion of a request, its id derived from the completion, so that the
 * outbox relayed twice adds it once: BullMQ adds nothing under an id that still exists. A
 * reopened request's next completion so needs a new id; generation 0 keeps the plain id.
 */
export function retireJobId(requestId: string, gen: number): string {
  return gen === 0 ? `retire.${requestId}` : `retire.${requestId}.g${gen}`;
}

/** The retire job of a request's completion `gen`, as relayCompletions adds it. */
export function retireJobEntry(
  tenant: string,
  requestId: string,
  gen: number,
  completedAt?: number,
): { name: 'retire'; data: RetireJob; opts: JobsOptions } {
  return {
    name: 'retire',
    data: { tenant, requestId, ...(gen ? { gen } : {}), ...(completedAt !== undefined && { completedAt }) },
    opts: { ...RETIRE_JOB_OPTIONS, ...DETACHED_JOB, jobId: retireJobId(requestId, gen) },
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

export const QUEUE_NAMES = {
  ingest: 'ingest', dispatch: 'dispatch', results: 'results', webhooks: 'webhooks', completions: 'completions',
} as const;

/**
 * Options of jobs that serve no one request (a tenant's dispatch wake-up, a poll, a retire, a
 * webhook): they start traces of their own instead of growing the trace that happened to add
 * them; their spans link to the requests they serve. Nothing when tracing is off.
 */
export const DETACHED_JOB = { telemetry: { omitContext: true } } as const;

export const INGEST_JOB_OPTIONS: JobsOptions = {
  // coalescing resumes where it stopped, so retrying is always safe
  attempts: 20,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * Retiring a completion only expires records, queues a webhook and marks it retired, each step
 * safe to run again; attempts are for errors (Redis down), and a job out of attempts leaves its
 * completion in the outbox, which the outbox gauges and their alert report.
 */
export const RETIRE_JOB_OPTIONS: JobsOptions = {
  attempts: 20,
  backoff: { type: 'exponential', delay: 1000 },
  // kept an hour: an outbox entry relayed again meanwhile finds the id taken and adds nothing
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

/**
 * A request's ingest job (the worker coalesces its staged lines), under the request's id.
 * `delayMs` (wall ms) holds a scheduled request back until its not_before. No DETACHED_JOB:
 * the job continues the trace of the request that adds it.
 */
export async function enqueueIngest(queue: Queue<IngestJob>, job: IngestJob, delayMs = 0): Promise<void> {
  await queue.add('ingest', job, { ...INGEST_JOB_OPTIONS, jobId: job.requestId, ...(delayMs > 0 && { delay: delayMs }) });
}

/**
 * Wakes the tenant's dispatcher. Always a fresh job id: a dispatch job already running may have
 * made its last claim before the change that wakes it was committed, so it must never absorb
 * this wake-up.
 */
export async function wakeDispatch(queue: Queue<DispatchJob>, tenant: string, maxAttempts: number): Promise<void> {
  await queue.add('dispatch', { tenant }, { ...dispatchJobOptions(maxAttempts), ...DETACHED_JOB });
}

/**
 * Wakes the tenant's dispatcher `delayMs` (wall ms) from now, for the instant `dueAt` (the
 * service's clock). Deduplicated by that instant, which is always in the future, so the job that
 * holds its id has not started yet and will see everything committed before it runs.
 */
export async function wakeDispatchAt(queue: Queue<DispatchJob>, tenant: string, dueAt: number, delayMs: number, maxAttempts: number): Promise<void> {
  await queue.add('dispatch', { tenant }, { ...dispatchJobOptions(maxAttempts), ...DETACHED_JOB, delay: delayMs, jobId: `at.${tenant}.${dueAt}` });
}

/** Runs an already-claimed batch (a split half): the job id is the batch id. */
export async function dispatchBatch(queue: Queue<DispatchJob>, tenant: string, batchId: string, maxAttempts: number): Promise<void> {
  await queue.add('dispatch', { tenant }, { ...dispatchJobOptions(maxAttempts), ...DETACHED_JOB, jobId: batchId });
}

/**
 * Follows an accepted batch's task to VOD's verdict, first polled `delayMs` (wall ms) from now.
 * One poll job a batch: while it exists a second call adds nothing, and after it a poll of a
 * batch already final changes nothing.
 */
export async function enqueuePoll(queue: Queue<PollJob>, job: PollJob, delayMs: number): Promise<void> {
  await queue.add('poll', job, { ...POLL_JOB_OPTIONS, ...DETACHED_JOB, delay: delayMs, jobId: `poll.${job.batchId}` });
}

/** The outbox reads relayCompletions needs (completion-store.ts). */
export type CompletionOutbox = Pick<CompletionStore, 'completionsBefore' | 'dueCompletions'>;

/**
 * The one way a completion reaches the completions queue. Every script that completes a request
 * records the completion in its tenant's outbox in the same step (includes/completion.lua);
 * this reads the outbox (the completions before `before`, epoch ms; all by default), clears the
 * entries no longer due (retired already, superseded, gone), and adds the retire job of each due
 * one with the generation and instant the script recorded. Job ids come from the completion, so
 * any number of relays, in any process, add each job once; the completions processor takes the
 * entry out when its job has run. Returns how many due completions it found and the instant the
 * oldest of them completed.
 *
 * Entries retired while the pages are read shift the later ones, so with more than a page
 * waiting a few may be missed; the next relay sees them.
 */
export async function relayCompletions(
  outbox: CompletionOutbox,
  queue: Queue<RetireJob>,
  tenant: string,
  before = Infinity,
): Promise<{ relayed: number; oldestAt: number | null }> {
  let relayed = 0;
  let oldestAt: number | null = null;
  for await (const page of outbox.completionsBefore(tenant, before)) {
    const due = await outbox.dueCompletions(tenant, page);
    if (due.length === 0) continue;
    await queue.addBulk(due.map((c: PendingCompletion) => retireJobEntry(tenant, c.requestId, c.gen, c.completedAt)));
    oldestAt ??= due[0]!.completedAt;
    relayed += due.length;
  }
  return { relayed, oldestAt };
}

/** A completed request's webhook: one job per completion, whoever adds it (webhookJobId). */
export async function enqueueWebhook(
  queue: Queue<WebhookJob>,
  job: WebhookJob,
  limits: { maxAttempts: number; keepFailedJobs: number },
): Promise<void> {
  const { gen = 0, ...rest } = job;
  await queue.add(
    'webhook',
    { ...rest, ...(gen ? { gen } : {}) },
    { ...webhookJobOptions(limits.maxAttempts, limits.keepFailedJobs), ...DETACHED_JOB, jobId: webhookJobId(job.requestId, gen) },
  );
}
