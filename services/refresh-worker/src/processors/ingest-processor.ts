import { DelayedError, type Job } from 'bullmq';
import { assetIdFromUrl, budgetDay, normalizeUrl } from '@refresh/core';
import { ingestJob, prepareChunk, type IngestJob, type PreparedChunk } from '@refresh/store';
import { noteOnActiveSpan, withoutCommandSpans } from '@refresh/telemetry';
import type { ProcessorDeps } from './processor-deps';

/**
 * Staged lines are `a:<asset id>` or `u:<url as sent>`; coalescing keys use the normalised url.
 * A line whose URL is normal already (the usual case) is its own key: no new string for it.
 */
function coalescingKey(line: string): string {
  if (!line.startsWith('u:')) return line;
  const url = line.slice(2);
  const normal = normalizeUrl(url);
  return normal === url ? line : `u:${normal}`;
}

/** What coalescing needs to know of a tenant. */
export interface CoalescingRules {
  /** hot-item debounce (ms; 0: none) */
  minRefreshIntervalMs: number;
  /** asset cover: where the asset id sits in the tenant's URLs; null: off */
  assetPattern: RegExp | null;
  /** the budget day's zone: the ledger counts a chunk's savings on the day it is coalesced */
  timezone: string;
}

/** The asset id of each coalescing key's URL (null for asset ids and URLs of no asset). */
function assetIdsOf(keys: readonly string[], pattern: RegExp): Array<string | null> {
  return keys.map((key) => (key.startsWith('u:') ? assetIdFromUrl(key.slice(2), pattern) : null));
}

/** A chunk of a request's staged lines, prepared for coalescing, and what it held in staging. */
interface StagedChunk {
  /** the lines as coalescing keys, prepared before Redis waits for them */
  chunk: PreparedChunk;
  lines: number;
  bytes: number;
}

/** While a large request is coalesced, its tenant's dispatcher is woken at most this often. */
const WAKE_INTERVAL_MS = 500;

/**
 * Moves a request's staged items into its tenant's pending queues, one chunk per atomic step.
 * Progress lives in Redis with the items, so a worker killed midway is resumed by the next
 * without losing or doubling anything.
 *
 * The tenant's dispatcher is woken after the first chunk that created items, then at most every
 * WAKE_INTERVAL_MS, and always at the end: a large upload starts going out before it is fully
 * coalesced, without one dispatch job per chunk (a dispatch chain wakes its own successors
 * while items remain, so more wake-ups would only add claims that find nothing).
 */
export function createIngestProcessor(deps: ProcessorDeps & {
  chunkItems: number;
  retentionSeconds: number;
  /** the tenant's rules for coalescing */
  tenantRules: (tenant: string) => CoalescingRules;
  /** true once the worker is shutting down: a long ingest hands itself back between chunks */
  stopping: () => boolean;
}) {
  const { store, enqueue, clock, metrics } = deps;
  return async function processIngestQueue(job: Job<IngestJob>, token?: string): Promise<unknown> {
    // a retire job that a worker of an earlier version added here: its completion is in the
    // outbox too, which the completions processor retires (completion-relay.ts)
    if (job.name === 'retire') return { skipped: 'retired through the completions queue' };
    return processIngest(job, token);
  };

  async function processIngest(job: Job<IngestJob>, token?: string): Promise<{ created: number; linked: number; duplicates: number }> {
    const { tenant, requestId, priority } = ingestJob.parse(job.data);
    const log = deps.logger.child({ requestId, tenant });
    const rules = deps.tenantRules(tenant);
    const totals = { created: 0, linked: 0, duplicates: 0 };
    let state = await store.ingestedSoFar(tenant, requestId);
    if (!state) {
      log.warn('request record missing; nothing to ingest');
      return totals;
    }
    if (state.done) {
      // a run after the request finished (the worker died before its last wake-up)
      if (await store.hasPending(tenant)) await enqueue.now(tenant);
      return totals;
    }
    // a scheduled request is not coalesced before its not_before (the API delayed this job until
    // then; a clock ahead of ours, or a job run early, waits out the rest)
    const early = state.notBefore === null ? 0 : state.notBefore - clock.now();
    if (early > 0 && state.ingested === 0) {
      await job.moveToDelayed(Date.now() + clock.realMs(early), token);
      throw new DelayedError();
    }
    if (state.notBefore !== null) await store.unschedule(tenant, requestId);
    let cursor = state.ingested;
    let lastWake = 0;
    let createdSinceWake = 0;
    // chunks this run applied
    let chunks = 0;
    // reads and normalises a chunk; started one chunk ahead, so both overlap Redis running the
    // current chunk's script. One chunk is sent at a time: sending the next before the last is
    // answered gained nothing measurable and doubled other callers' p99 during a large upload
    // (docs/benchmarks.md, "The compact backlog").
    const read = (from: number): Promise<StagedChunk> => {
      // the chunk's commands make no spans (the run notes how many chunks it coalesced)
      const p = withoutCommandSpans(() => store.readStage(tenant, requestId, from, deps.chunkItems)).then((raw) => {
        const keys = raw.map(coalescingKey);
        return {
          chunk: prepareChunk(keys, rules.assetPattern ? assetIdsOf(keys, rules.assetPattern) : undefined),
          lines: raw.length,
          // what the chunk held in staging, to take off the tenant's staged bytes (one count of the
          // joined lines, less their separators, costs a tenth of counting each line)
          bytes: raw.length === 0 ? 0 : Buffer.byteLength(raw.join('\n')) - (raw.length - 1),
        };
      });
      p.catch(() => undefined); // a prefetch that is never awaited must not be an unhandled rejection
      return p;
    };
    let next: Promise<StagedChunk> | null = read(cursor);
    while (next && cursor < state.received) {
      if (deps.stopping()) {
        // progress is in Redis: put the job back at once (no attempt spent) and let SIGTERM finish
        await next.catch(() => undefined);
        if (createdSinceWake > 0) await enqueue.now(tenant);
        log.info({ cursor, received: state.received }, 'shutting down: ingest handed back');
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      const { chunk, lines, bytes }: StagedChunk = await next;
      if (lines === 0) throw new Error(`staged items of ${requestId} end at ${cursor} of ${state.received}`);
      next = cursor + lines < state.received ? read(cursor + lines) : null;
      const now = clock.now();
      const res = await withoutCommandSpans(() => store.coalesce(
        tenant, requestId, priority, cursor, lines, chunk, now, rules.minRefreshIntervalMs, budgetDay(now, rules.timezone).dayId, undefined, bytes,
      ));
      if (res === 'canceled') {
        // an admin canceled the request: what is left of it is dropped, and it finishes now
        log.info({ cursor, received: state.received }, 'request canceled while coalescing: the rest is dropped');
        next = null;
        break;
      }
      if (res === null) {
        // another run applied this chunk: continue from what Redis says
        state = (await store.ingestedSoFar(tenant, requestId)) ?? state;
        cursor = state.ingested;
        next = state.done ? null : read(cursor);
        continue;
      }
      cursor += lines;
      chunks++;
      totals.created += res.created;
      totals.linked += res.linked;
      totals.duplicates += res.duplicates;
      metrics.itemsCoalesced(tenant, res);
      createdSinceWake += res.created;
      if (createdSinceWake > 0 && Date.now() - lastWake >= WAKE_INTERVAL_MS) {
        await enqueue.now(tenant);
        lastWake = Date.now();
        createdSinceWake = 0;
      }
    }
    await next?.catch(() => undefined);
    // wake before marking done: a run after a crash between the two still finds work to wake for
    if (createdSinceWake > 0) await enqueue.now(tenant);
    if (await store.finishIngest(tenant, requestId, deps.retentionSeconds, clock.now())) await deps.completions.relay(tenant);
    log.info(totals, 'request coalesced');
    noteOnActiveSpan('ingest.coalesced', {
      'refresh.ingest.chunks': chunks, 'refresh.ingest.created': totals.created, 'refresh.ingest.linked': totals.linked, 'refresh.ingest.duplicates': totals.duplicates,
    });
    return totals;
  }
}
