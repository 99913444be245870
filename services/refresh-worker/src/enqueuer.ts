import type { Queue } from 'bullmq';
import { DETACHED_JOB } from '@refresh/telemetry';
import {
  POLL_JOB_OPTIONS, dispatchJobOptions, retireJobEntry, webhookJobId, webhookJobOptions,
  type DispatchJob, type PendingCompletion, type PollJob, type RetireJob, type WebhookJob,
} from '@refresh/store';
import type { Clock } from './clock';

export interface EnqueuerOptions {
  /** dispatch jobs: wake-ups of a tenant's dispatcher, and batches already claimed */
  dispatch: { queue: Queue<DispatchJob>; maxAttempts: number };
  /** retire jobs go on the ingest queue */
  ingest: Queue<RetireJob>;
  results: { queue: Queue<PollJob>; initialDelayMs: number };
  webhooks: { queue: Queue<WebhookJob>; maxAttempts: number; keepFailedJobs: number };
  clock: Clock;
  /** which completion of a request this is (admin requeues reopen requests) */
  generationOf?: (tenant: string, requestId: string) => Promise<number>;
}

/**
 * Adds the worker's jobs to their queues; BullMQ runs them, at once or after a delay.
 * Dispatch jobs: `now` jobs always get a fresh id: a job that is already running may have
 * made its last claim before our items were committed, so it must never absorb our wake-up.
 * `at` jobs are deduplicated by their due instant, which is always in the future, so the job
 * holding that id has not started yet and will see everything committed before it runs.
 */
export function createEnqueuer(opts: EnqueuerOptions) {
  const { clock, ingest: ingestQueue, results, webhooks } = opts;
  const queue = opts.dispatch.queue;
  const generationOf = opts.generationOf ?? (async () => 0);
  // every job added here serves a tenant or a batch, not the operation that adds it: each starts
  // a trace of its own, and its spans link to the requests it serves (call-trace.ts)
  const options = { ...dispatchJobOptions(opts.dispatch.maxAttempts), ...DETACHED_JOB };
  return {
    async now(tenant: string): Promise<void> {
      await queue.add('dispatch', { tenant }, options);
    },
    async at(tenant: string, dueAt: number): Promise<void> {
      const delay = dueAt - clock.now();
      if (delay <= 0) return this.now(tenant);
      await queue.add('dispatch', { tenant }, { ...options, delay: clock.realMs(delay), jobId: `at.${tenant}.${dueAt}` });
    },
    /** Runs an already-claimed batch (a split half): the job id is the batch id. */
    async batch(tenant: string, batchId: string): Promise<void> {
      await queue.add('dispatch', { tenant }, { ...options, jobId: batchId });
    },
    /**
     * A completed request's item records start their retention period, and its completion
     * webhook is queued (on the ingest queue; the instant of completion travels with the job).
     * The generation is read after the completion: a requeue cannot reopen the request (and
     * move its generation) before this completion's retire job has run (requeue-failed.lua).
     */
    async retire(tenant: string, requestId: string): Promise<void> {
      const job = retireJobEntry(tenant, requestId, await generationOf(tenant, requestId), clock.now());
      await ingestQueue.add(job.name, job.data, { ...job.opts, ...DETACHED_JOB });
    },
    /**
     * Retire jobs for completions found in the outbox (completion-sweeper.ts), each with the
     * generation and instant the completing script recorded. The ids are those `retire` uses,
     * so a job that exists already is not added again.
     */
    async retireCompletions(tenant: string, completions: readonly PendingCompletion[]): Promise<void> {
      if (completions.length === 0) return;
      await ingestQueue.addBulk(completions.map((c) => {
        const job = retireJobEntry(tenant, c.requestId, c.gen, c.completedAt);
        return { ...job, opts: { ...job.opts, ...DETACHED_JOB } };
      }));
    },
    /** The completion webhook of a request with a callback_url: one job per completion, whoever adds it. */
    async webhook(tenant: string, requestId: string, completedAt: number, gen = 0): Promise<void> {
      await webhooks.queue.add(
        'webhook',
        { tenant, requestId, completedAt, ...(gen ? { gen } : {}) },
        { ...webhookJobOptions(webhooks.maxAttempts, webhooks.keepFailedJobs), ...DETACHED_JOB, jobId: webhookJobId(requestId, gen) },
      );
    },
    /**
     * Follows an accepted batch's task to VOD's verdict (result-processor.ts), first polled
     * pollInitialDelayMs after acceptance. One poll job a batch: while it exists a second call
     * adds nothing, and after it a poll of a batch already final changes nothing.
     */
    async poll(tenant: string, batchId: string, taskId: string, acceptedAt: number): Promise<void> {
      await results.queue.add(
        'poll',
        { tenant, batchId, taskId, acceptedAt },
        { ...POLL_JOB_OPTIONS, ...DETACHED_JOB, delay: clock.realMs(results.initialDelayMs), jobId: `poll.${batchId}` },
      );
    },
  };
}
export type JobEnqueuer = ReturnType<typeof createEnqueuer>;
