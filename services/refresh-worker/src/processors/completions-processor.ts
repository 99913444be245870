import type { Job, Queue } from 'bullmq';
import { enqueueWebhook, retireJob, type DispatchStore, type RetireJob, type WebhookJob } from '@refresh/store';

/** What a retire job did: items whose retention it started, whether it queued a webhook. */
export interface RetireResult {
  retired: number;
  webhook: boolean;
  /** the completion was no longer due (completionState): nothing but its outbox entry changed */
  skipped?: string;
}

/**
 * The completions processor: the one place a completed request is retired. Each retire job
 * (relayed from the completion outbox, jobs.ts relayCompletions) starts the retention period of
 * the request's item records, queues its completion webhook when it has a callback, and marks
 * the completion retired, which takes it out of the outbox, in that order: a job that dies
 * midway (its worker killed) is run again by BullMQ and redoes steps that are safe to repeat,
 * and until the last step its completion stays in the outbox, so a relay adds it again if the
 * job is gone. A job for a completion no longer due (run again after it finished, or for a
 * request reopened since) only clears the outbox: retiring the items of a reopened request
 * would expire records it still needs.
 */
export function createCompletionsProcessor(deps: {
  store: DispatchStore;
  retentionSeconds: number;
  webhooks: { queue: Queue<WebhookJob>; maxAttempts: number; keepFailedJobs: number };
}) {
  const { store, webhooks } = deps;
  return async function processRetire(job: Job<RetireJob>): Promise<RetireResult> {
    // completedAt is absent in jobs of workers from before it was recorded
    const { tenant, requestId, gen = 0, completedAt = job.timestamp } = retireJob.parse(job.data);
    const state = await store.completionState(tenant, requestId, gen);
    if (state !== 'due') {
      await store.markRetired(tenant, requestId, gen);
      return { retired: 0, webhook: false, skipped: state };
    }
    const retired = await store.retireRequestItems(tenant, requestId, deps.retentionSeconds);
    const webhook = await store.hasCallback(tenant, requestId);
    if (webhook) await enqueueWebhook(webhooks.queue, { tenant, requestId, completedAt, gen }, webhooks);
    await store.markRetired(tenant, requestId, gen);
    return { retired, webhook };
  };
}
