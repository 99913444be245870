import type { Job } from 'bullmq';
import { normalizeUrl } from '@refresh/core';
import { ingestJob, type DispatchStore, type IngestJob } from '@refresh/store';
import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { WorkerMetrics } from './metrics';
import type { Scheduler } from './scheduler';

/** Staged lines are `a:<asset id>` or `u:<url as sent>`; coalescing keys use the normalised url. */
function coalescingKey(line: string): string {
  return line.startsWith('u:') ? `u:${normalizeUrl(line.slice(2))}` : line;
}

/**
 * Moves a request's staged items into its tenant's pending queues, one chunk per atomic step.
 * Progress lives in Redis with the items, so a worker killed midway is resumed by the next
 * without losing or doubling anything. Each chunk wakes the tenant's dispatcher, so a large
 * upload starts going out before it is fully coalesced.
 */
export function createIngestProcessor(deps: {
  store: DispatchStore;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  metrics: WorkerMetrics;
  chunkItems: number;
  retentionSeconds: number;
}) {
  const { store, scheduler, clock, metrics } = deps;
  return async function processIngest(job: Job<IngestJob>): Promise<{ created: number; linked: number; duplicates: number }> {
    const { tenant, requestId, priority } = ingestJob.parse(job.data);
    const log = deps.logger.child({ requestId, tenant });
    const totals = { created: 0, linked: 0, duplicates: 0 };
    let state = await store.ingestedSoFar(tenant, requestId);
    if (!state) {
      log.warn('request record missing; nothing to ingest');
      return totals;
    }
    let cursor = state.ingested;
    while (!state.done && cursor < state.received) {
      const lines = await store.readStage(tenant, requestId, cursor, deps.chunkItems);
      if (lines.length === 0) throw new Error(`staged items of ${requestId} end at ${cursor} of ${state.received}`);
      const res = await store.coalesce(tenant, requestId, priority, cursor, lines.length, lines.map(coalescingKey), clock.now());
      if (res === null) {
        // another run applied this chunk: continue from what Redis says
        state = (await store.ingestedSoFar(tenant, requestId)) ?? state;
        cursor = state.ingested;
        continue;
      }
      cursor += lines.length;
      totals.created += res.created;
      totals.linked += res.linked;
      totals.duplicates += res.duplicates;
      metrics.itemsCoalesced(tenant, res);
      if (res.created > 0) await scheduler.now(tenant);
    }
    await store.finishIngest(tenant, requestId, deps.retentionSeconds);
    log.info(totals, 'request coalesced');
    return totals;
  };
}
