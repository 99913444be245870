import type { DispatchStore } from '@refresh/store';

/** What coalescing one chunk returned: counts, null when it was applied already, or 'canceled'. */
export type Coalesced = Awaited<ReturnType<DispatchStore['coalesce']>>;
/** What became of a chunk: applied by this run, applied by another (stale), or the request canceled. */
export type ChunkOutcome = 'applied' | 'stale' | 'canceled';

/**
 * Chunks of one request sent to coalesce-items.lua and not yet answered, oldest first, up to
 * `depth` of them: Redis runs one while the worker reads and normalises the next, and is never
 * left waiting for it. The script applies a chunk only at the request's `ingested` counter, and
 * Redis runs one connection's calls in order, so a chunk sent after a stale or canceled one is
 * refused in turn, or applied at its right place: sending ahead never applies a chunk twice.
 */
export function chunksInFlight(depth: number, onApplied: (counts: Exclude<Coalesced, null | 'canceled'>) => Promise<void>) {
  const sent: Array<Promise<Coalesced>> = [];

  async function settle(chunk: Promise<Coalesced>): Promise<ChunkOutcome> {
    const res = await chunk;
    if (res === 'canceled') return 'canceled';
    if (res === null) return 'stale';
    await onApplied(res);
    return 'applied';
  }

  /** Waits for every chunk on its way, oldest first; the worst of their outcomes. */
  async function settleAll(): Promise<ChunkOutcome> {
    let worst: ChunkOutcome = 'applied';
    let failure: unknown = null;
    for (let chunk = sent.shift(); chunk; chunk = sent.shift()) {
      try {
        const outcome = await settle(chunk);
        if (outcome === 'canceled' || worst === 'applied') worst = outcome;
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== null) throw failure;
    return worst;
  }

  return {
    /**
     * Adds a chunk just sent. While fewer than `depth` are on their way, returns 'applied' at
     * once; otherwise the oldest one's outcome, and when that is not 'applied', what became of all
     * the others too (the worst of them), so that sending goes on only from where Redis says.
     */
    async add(chunk: Promise<Coalesced>): Promise<ChunkOutcome> {
      chunk.catch(() => undefined); // answered in order, after the ones sent before it
      sent.push(chunk);
      if (sent.length < depth) return 'applied';
      const oldest = await settle(sent.shift()!).catch(async (err: unknown) => {
        await settleAll().catch(() => undefined);
        throw err;
      });
      if (oldest === 'applied') return 'applied';
      const rest = await settleAll().catch(() => 'stale' as const);
      return oldest === 'canceled' || rest === 'canceled' ? 'canceled' : 'stale';
    },
    settleAll,
  };
}
