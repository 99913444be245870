import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RecordedResults } from '@refresh/store';
import type { RefreshVerdict } from '@refresh/vod-client';

/** Outcome classes of one upstream call (vod-client's verdict): the bounded `outcome` label. */
export const CALL_OUTCOMES = [
  'accepted', 'retry_later', 'throttled', 'rejected_items', 'tenant_blocked', 'token_expired', 'quota_spent',
] as const satisfies ReadonlyArray<RefreshVerdict['class']>;

/** VOD's verdicts on submitted items as the worker records them: the bounded `verdict` label. */
export const RESULT_VERDICTS = ['completed', 'failed', 'unknown'] as const;

/** What became of one completion-webhook attempt: the bounded `outcome` label. */
export const WEBHOOK_OUTCOMES = ['delivered', 'retried', 'gave_up', 'refused_host'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * The worker's own metrics: what this process did. (What is queued, spent and deferred is read
 * from Redis at scrape time: see state-gauges.ts.) Labels come from bounded sets only: tenant
 * ids from the config, kinds and outcome classes from enums; never an item, a URL or a request id.
 */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const coalesced = new Counter({
    name: 'refresh_worker_items_coalesced_total',
    help: 'Items taken from requests into pending queues, by result (created a pending item, linked to one, duplicate in request)',
    labelNames: ['tenant', 'result'] as const,
    registers: [registry],
  });
  const held = new Counter({
    name: 'refresh_worker_items_held_total',
    help: 'New pending items held by the hot-item debounce (asked for again within minRefreshIntervalMs of their last send); every request for one until it goes shares one send',
    labelNames: ['tenant'] as const,
    registers: [registry],
  });
  const sent = new Counter({
    name: 'refresh_worker_items_sent_total',
    help: 'Items in batches VOD accepted',
    labelNames: ['tenant', 'kind'] as const,
    registers: [registry],
  });
  const calls = new Counter({
    name: 'refresh_worker_upstream_calls_total',
    help: 'Calls to VOD RefreshAsset by outcome class (accepted, retry_later, throttled, rejected_items, tenant_blocked, token_expired, quota_spent)',
    labelNames: ['tenant', 'outcome'] as const,
    registers: [registry],
  });
  const unknownCodes = new Counter({
    name: 'refresh_worker_upstream_unknown_codes_total',
    help: 'VOD answers with an error code the classification table does not know (retried later)',
    labelNames: ['tenant'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'refresh_worker_upstream_call_duration_seconds',
    help: 'Duration of calls to VOD RefreshAsset',
    labelNames: ['tenant'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const submissionDelay = new Histogram({
    name: 'refresh_worker_submission_delay_seconds',
    help: 'Seconds from an item entering its tenant\'s pending queue to VOD accepting the call that carried it; includes linger, retries and waits for the budget reset',
    labelNames: ['tenant'] as const,
    // from a linger to a budget day and more
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 48 * 3600],
    registers: [registry],
  });
  const results = new Counter({
    name: 'refresh_worker_results_total',
    help: "Items given VOD's final verdict by polling ShowRefreshResult (completed, failed), or none before pollMaxAgeMs (unknown)",
    labelNames: ['tenant', 'verdict'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'refresh_worker_webhooks_total',
    help: 'Completion-webhook attempts by outcome (delivered, retried, gave_up after the last attempt, refused_host: the callback is no longer allowlisted)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return {
    registry,
    itemsCoalesced(tenant: string, r: { created: number; linked: number; duplicates: number; held?: number }) {
      coalesced.inc({ tenant, result: 'created' }, r.created);
      coalesced.inc({ tenant, result: 'linked' }, r.linked);
      coalesced.inc({ tenant, result: 'duplicate' }, r.duplicates);
      if (r.held) held.inc({ tenant }, r.held);
    },
    itemsSent(tenant: string, kind: 'asset_id' | 'url', n: number) {
      sent.inc({ tenant, kind }, n);
    },
    upstreamCall(tenant: string, outcome: (typeof CALL_OUTCOMES)[number]) {
      calls.inc({ tenant, outcome });
    },
    upstreamLatency(tenant: string, seconds: number) {
      latency.observe({ tenant }, seconds);
    },
    /** an answer the classification table does not know: retried, and worth a look */
    unknownCode(tenant: string) {
      unknownCodes.inc({ tenant });
    },
    /** Once per item of an accepted batch; `enqueuedAt` in epoch ms, NaN for an item whose record expired. */
    itemsSubmitted(tenant: string, enqueuedAt: readonly number[], now: number) {
      for (const t of enqueuedAt) if (Number.isFinite(t)) submissionDelay.observe({ tenant }, Math.max(0, now - t) / 1000);
    },
    /** Items a poll moved out of `submitted`, by VOD's verdict. */
    itemResults(tenant: string, moved: RecordedResults['recorded']) {
      const byLabel: Record<(typeof RESULT_VERDICTS)[number], number> = {
        completed: moved.completed,
        failed: moved.failed_vod,
        unknown: moved.unknown,
      };
      for (const verdict of RESULT_VERDICTS) results.inc({ tenant, verdict }, byLabel[verdict]);
    },
    webhook(outcome: WebhookOutcome) {
      webhooks.inc({ outcome });
    },
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
