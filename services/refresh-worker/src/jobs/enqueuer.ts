import type { Queue } from 'bullmq';
import { DETACHED_JOB, POLL_JOB_OPTIONS, dispatchJobOptions, wakeDispatch, type DispatchJob, type PollJob } from '@refresh/store';
import type { Clock } from '../clock';

export interface EnqueuerOptions {
  /** dispatch jobs: wake-ups of a tenant's dispatcher, and batches already claimed */
  dispatch: { queue: Queue<DispatchJob>; maxAttempts: number };
  results: { queue: Queue<PollJob>; initialDelayMs: number };
  clock: Clock;
}

/**
 * Adds the worker's dispatch and poll jobs to their queues; BullMQ runs them, at once or after a
 * delay. (Ingest, completion and webhook jobs are added by store/src/jobs.ts, which the API shares.)
 * Dispatch jobs: `now` jobs always get a fresh id: a job that is already running may have
 * made its last claim before our items were committed, so it must never absorb our wake-up.
 * `at` jobs are deduplicated by their due instant, which is always in the future, so the job
 * holding that id has not started yet and will see everything committed before it runs.
 */
export function createEnqueuer(opts: EnqueuerOptions) {
  const { clock, results } = opts;
  const { queue, maxAttempts } = opts.dispatch;
  // every job added here serves a tenant or a batch, not the operation that adds it: each starts
  // a trace of its own, and its spans link to the requests it serves (call-trace.ts)
  const options = { ...dispatchJobOptions(maxAttempts), ...DETACHED_JOB };
  return {
    async now(tenant: string): Promise<void> {
      await wakeDispatch(queue, tenant, maxAttempts);
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
