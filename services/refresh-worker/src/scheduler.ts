import type { Queue } from 'bullmq';
import { INGEST_JOB_OPTIONS, POLL_JOB_OPTIONS, dispatchJobOptions, type DispatchJob, type PollJob, type RetireJob } from '@refresh/store';
import type { Clock } from './clock';

/**
 * Adds dispatch jobs. `now` jobs always get a fresh id: a job that is already running may have
 * made its last claim before our items were committed, so it must never absorb our wake-up.
 * `at` jobs are deduplicated by their due instant, which is always in the future, so the job
 * holding that id has not started yet and will see everything committed before it runs.
 */
export function createScheduler(
  queue: Queue<DispatchJob>,
  clock: Clock,
  maxAttempts: number,
  ingestQueue: Queue<RetireJob>,
  results: { queue: Queue<PollJob>; initialDelayMs: number },
) {
  const options = dispatchJobOptions(maxAttempts);
  return {
    async now(tenant: string): Promise<void> {
      await queue.add('dispatch', { tenant }, options);
    },
    async at(tenant: string, dueAt: number): Promise<void> {
      const delay = dueAt - clock.now();
      if (delay <= 0) return this.now(tenant);
      await queue.add('dispatch', { tenant }, { ...options, delay, jobId: `at.${tenant}.${dueAt}` });
    },
    /** Runs an already-claimed batch (a split half): the job id is the batch id. */
    async batch(tenant: string, batchId: string): Promise<void> {
      await queue.add('dispatch', { tenant }, { ...options, jobId: batchId });
    },
    /** A completed request's item records start their retention period (on the ingest queue). */
    async retire(tenant: string, requestId: string): Promise<void> {
      await ingestQueue.add('retire', { tenant, requestId }, { ...INGEST_JOB_OPTIONS, jobId: `retire.${requestId}` });
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
        { ...POLL_JOB_OPTIONS, delay: results.initialDelayMs, jobId: `poll.${batchId}` },
      );
    },
  };
}
export type Scheduler = ReturnType<typeof createScheduler>;
