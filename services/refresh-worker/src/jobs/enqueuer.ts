import type { Queue } from 'bullmq';
import { dispatchBatch, enqueuePoll, wakeDispatch, wakeDispatchAt, type DispatchJob, type PollJob } from '@refresh/store';
import type { Clock } from '../clock';

export interface EnqueuerOptions {
  /** dispatch jobs: wake-ups of a tenant's dispatcher, and batches already claimed */
  dispatch: { queue: Queue<DispatchJob>; maxAttempts: number };
  results: { queue: Queue<PollJob>; initialDelayMs: number };
  clock: Clock;
}

/**
 * The worker's dispatch and poll jobs, with its queues and clock bound: what each job is, its id
 * and its options are the store's (packages/store/src/jobs.ts, which the API's jobs use too);
 * this turns the clock's instants into the wall-clock delays BullMQ waits.
 */
export function createEnqueuer(opts: EnqueuerOptions) {
  const { clock, results } = opts;
  const { queue, maxAttempts } = opts.dispatch;
  return {
    async now(tenant: string): Promise<void> {
      await wakeDispatch(queue, tenant, maxAttempts);
    },
    async at(tenant: string, dueAt: number): Promise<void> {
      const delay = dueAt - clock.now();
      if (delay <= 0) return this.now(tenant);
      await wakeDispatchAt(queue, tenant, dueAt, clock.realMs(delay), maxAttempts);
    },
    /** Runs an already-claimed batch (a split half): the job id is the batch id. */
    async batch(tenant: string, batchId: string): Promise<void> {
      await dispatchBatch(queue, tenant, batchId, maxAttempts);
    },
    /** Follows an accepted batch's task to VOD's verdict (result-processor.ts), first polled pollInitialDelayMs after acceptance. */
    async poll(tenant: string, batchId: string, taskId: string, acceptedAt: number): Promise<void> {
      await enqueuePoll(results.queue, { tenant, batchId, taskId, acceptedAt }, clock.realMs(results.initialDelayMs));
    },
  };
}
export type JobEnqueuer = ReturnType<typeof createEnqueuer>;
