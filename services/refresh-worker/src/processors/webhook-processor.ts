import { DelayedError, type Job } from 'bullmq';
import type { AppConfig } from '@refresh/config';
import { callbackUrlProblem } from '@refresh/core';
import { webhookJob, type CallerWebhookSlots, type RequestRecord, type RequestStore, type WebhookJob } from '@refresh/store';
import type { Logger } from 'pino';
import { createCallTrace } from '../upstream/call-trace';
import type { Clock } from '../clock';
import type { WorkerMetrics } from '../ops/metrics';
import type { WebhookSender } from './webhook-sender';

/** ms a delivery waits for one of its caller's slots to free before it looks again */
const SLOT_RETRY_MS = 250;
/** beyond the delivery timeout, how long a dead worker's slot stays held */
const SLOT_LEASE_MARGIN_MS = 5_000;

/** task ids a summary lists at most, as the status endpoint does */
const MAX_TASK_IDS = 1000;

/** The body of a completion webhook (docs/api.md, "Completion webhooks"). */
export interface CompletionSummary {
  event: 'refresh_request.completed';
  request_id: string;
  tenant: string;
  status: 'completed' | 'in_progress';
  counts: { pending: number; deferred: number; in_flight: number; submitted: number; completed: number; failed: number; unknown: number; canceled: number };
  received: number;
  task_ids: string[];
  created_at: string;
  completed_at: string;
}

/** A failed delivery that BullMQ retries with the webhook backoff; already logged and counted. */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
}

export function completionSummary(r: RequestRecord, completedAt: number): CompletionSummary {
  const { pending, deferred, in_flight, submitted, completed, failed, unknown, canceled } = r.counts;
  return {
    event: 'refresh_request.completed',
    request_id: r.requestId,
    tenant: r.tenant,
    // only completed requests are retired; the status is read, not assumed, all the same
    status: r.ingestDone && pending + deferred + in_flight + submitted === 0 ? 'completed' : 'in_progress',
    // every state, as the status endpoint counts them: an admin cancel completes a request too
    counts: { pending, deferred, in_flight, submitted, completed, failed, unknown, canceled },
    received: r.received,
    task_ids: r.taskIds,
    created_at: new Date(r.createdAt).toISOString(),
    completed_at: new Date(completedAt).toISOString(),
  };
}

/**
 * Delivers one completed request's summary to its callback_url. The request is read again at
 * each attempt, and the URL is checked against the allowlist in force now, not the one at
 * submission: a host the operator removed is never called. A 2xx is recorded on the request,
 * so a duplicate job sends nothing; any other outcome throws, and BullMQ retries with backoff
 * until `webhooks.maxAttempts`.
 */
export function createWebhookProcessor(deps: {
  config: AppConfig;
  requests: RequestStore;
  sender: WebhookSender;
  clock: Clock;
  logger: Logger;
  metrics: WorkerMetrics;
  /** each caller's deliveries under way (webhooks.perCallerConcurrency), across replicas */
  slots: CallerWebhookSlots;
  /** tracing is on: each delivery is a span linked to the request (its POST carries traceparent) */
  tracing?: boolean;
}) {
  const { config, requests, sender, clock, metrics, slots } = deps;
  // a delivery holds its slot at most this long if its worker dies mid-way
  const slotLeaseMs = config.webhooks.timeoutMs + SLOT_LEASE_MARGIN_MS;
  return async function processWebhook(job: Job<WebhookJob>, token?: string): Promise<{ outcome: string }> {
    const { tenant, requestId, completedAt, gen = 0 } = webhookJob.parse(job.data);
    const log = deps.logger.child({ tenant, requestId });
    const r = await requests.get(requestId, MAX_TASK_IDS);
    if (!r?.callback) {
      // expired after statusTtlDays while the delivery kept failing
      log.warn('request record gone; completion webhook dropped');
      metrics.webhook('gave_up');
      return { outcome: 'gone' };
    }
    // each completion is reported once; a requeue reopens the request for the next one
    if (r.webhookDeliveredGen !== undefined && r.webhookDeliveredGen >= gen) return { outcome: 'already_delivered' };

    const webhook = config.callers.find((c) => c.id === r.callback?.caller)?.webhook;
    const problem = webhook
      ? callbackUrlProblem(r.callback.url, webhook.allowedHosts)
      : `caller ${r.callback.caller} has no webhook configuration now`;
    if (!webhook || problem) {
      log.warn({ problem }, 'completion webhook not sent: the callback is no longer allowed');
      metrics.webhook('refused_host');
      return { outcome: 'refused_host' };
    }

    // one of the caller's delivery slots, or back to the queue (no attempt spent) while its other
    // deliveries are under way: a receiver that hangs delays its own caller only
    const caller = r.callback.caller;
    const slot = await slots.open(caller, job.id!, { now: Date.now(), leaseMs: slotLeaseMs, limit: config.webhooks.perCallerConcurrency });
    if (!slot.ok) {
      await job.moveToDelayed(Date.now() + SLOT_RETRY_MS, token);
      throw new DelayedError();
    }
    const body = JSON.stringify(completionSummary(r, completedAt));
    let result: Awaited<ReturnType<WebhookSender['send']>>;
    const attempt = job.attemptsMade + 1;
    try {
      // the POST is made inside the span, so the http instrumentation sends its traceparent
      result = await createCallTrace(job, deps.tracing === true).call(
        'webhook.deliver',
        { 'refresh.tenant': tenant, 'refresh.request_id': requestId, 'refresh.webhook.attempt': attempt },
        async () => (r.traceparent ? [r.traceparent] : []),
        () => sender.send(r.callback!.url, body, webhook.secret, gen === 0 ? `completed.${requestId}` : `completed.${requestId}.g${gen}`, clock.now()),
        (res) => (res.delivered ? { outcome: 'delivered', code: `HTTP.${res.status}` } : { outcome: 'not_delivered' }),
      );
    } finally {
      await slots.close(caller, job.id!).catch(() => undefined);
    }
    if (result.delivered) {
      await requests.markWebhookDelivered(requestId, clock.now(), gen);
      metrics.webhook('delivered');
      log.info({ attempt, status: result.status }, 'completion webhook delivered');
      return { outcome: 'delivered' };
    }
    const last = attempt >= (job.opts.attempts ?? 1);
    metrics.webhook(last ? 'gave_up' : 'retried');
    if (last) log.warn({ attempt, reason: result.reason }, 'completion webhook given up');
    else log.info({ attempt, reason: result.reason }, 'completion webhook not delivered; will retry');
    throw new WebhookDeliveryError(result.reason);
  };
}
