import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallOutcome } from '@refresh/vod-client';

/**
 * The worker's metrics. Labels come from bounded sets only: tenant ids from the config, kinds
 * and outcome classes from enums; never an item, a URL or a request id.
 */
export function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const coalesced = new Counter({
    name: 'refresh_worker_items_coalesced_total',
    help: 'Items taken from requests into pending queues, by result (created a pending item, linked to one, duplicate in request)',
    labelNames: ['tenant', 'result'],
    registers: [registry],
  });
  const sent = new Counter({
    name: 'refresh_worker_items_sent_total',
    help: 'Items in batches VOD accepted',
    labelNames: ['tenant', 'kind'],
    registers: [registry],
  });
  const calls = new Counter({
    name: 'refresh_worker_upstream_calls_total',
    help: 'Calls to VOD RefreshAsset by outcome class',
    labelNames: ['tenant', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'refresh_worker_upstream_call_duration_seconds',
    help: 'Duration of calls to VOD RefreshAsset',
    labelNames: ['tenant'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    itemsCoalesced(tenant: string, r: { created: number; linked: number; duplicates: number }) {
      coalesced.inc({ tenant, result: 'created' }, r.created);
      coalesced.inc({ tenant, result: 'linked' }, r.linked);
      coalesced.inc({ tenant, result: 'duplicate' }, r.duplicates);
    },
    itemsSent(tenant: string, kind: string, n: number) {
      sent.inc({ tenant, kind }, n);
    },
    upstreamCall(tenant: string, outcome: CallOutcome, seconds: number) {
      calls.inc({ tenant, outcome: outcome.type });
      latency.observe({ tenant }, seconds);
    },
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
