import { ITEM_KINDS, MAX_ITEMS_PER_CALL, PRIORITIES, type ItemKind, type Priority } from './items';

/**
 * When to cut a batch, and of what. The store's Lua script applies the same rules atomically;
 * this is the readable reference it mirrors, and what the worker uses for scheduling hints.
 *
 * A batch is one kind only (the upstream call takes asset ids or URLs, not both) and drains a
 * kind's lists in PRIORITIES order. Waiting (linger) lets a batch fill up so each upstream call,
 * which costs the same whatever its size, carries as many items as it can.
 */

/** The state of one (kind, priority) pending list. */
export type QueueHead = {
  kind: ItemKind;
  priority: Priority;
  count: number;
  /** Epoch ms the oldest pending item was enqueued; null when the list is empty. */
  oldestEnqueuedAt: number | null;
};

export type BatchOptions = {
  now: number;
  lingerMs: number;
  /** 1..MAX_ITEMS_PER_CALL; values outside are clamped into that range. */
  maxItems: number;
  /** Items the tenant may still send today. */
  budgetRemaining: number;
};

export type BatchDecision =
  | { action: 'send'; kind: ItemKind; size: number }
  | { action: 'wait'; until: number }
  | { action: 'budget' }
  | { action: 'idle' };

type KindSummary = {
  kind: ItemKind;
  count: number;
  /** Oldest item across all priorities: drives linger. */
  oldest: number;
  /** Best priority with pending items, as an index into PRIORITIES (0 = high). */
  topRank: number;
  /** Oldest item at that priority: the first to go out if this kind is sent. */
  topOldest: number;
};

export function chooseBatch(heads: readonly QueueHead[], opts: BatchOptions): BatchDecision {
  const kinds = summarise(heads);
  if (kinds.length === 0) return { action: 'idle' };

  const budget = Math.floor(opts.budgetRemaining);
  if (!(budget > 0)) return { action: 'budget' };

  const maxItems = Math.min(MAX_ITEMS_PER_CALL, Math.max(1, Math.floor(opts.maxItems)));
  // A batch as full as today's budget allows is as full as it will ever get: send it now.
  const fullAt = Math.min(maxItems, budget);
  const ready = kinds.filter((k) => k.count >= fullAt || opts.now - k.oldest >= opts.lingerMs);

  const chosen = ready.sort(byUrgency)[0];
  if (chosen === undefined) {
    return { action: 'wait', until: Math.min(...kinds.map((k) => k.oldest)) + opts.lingerMs };
  }
  return { action: 'send', kind: chosen.kind, size: Math.min(maxItems, chosen.count, budget) };
}

function summarise(heads: readonly QueueHead[]): KindSummary[] {
  const out: KindSummary[] = [];
  for (const kind of ITEM_KINDS) {
    let count = 0;
    let oldest = Infinity;
    let topRank = Infinity;
    let topOldest = Infinity;
    for (const h of heads) {
      const n = Math.floor(h.count);
      if (h.kind !== kind || !(n > 0)) continue;
      // Pending items with an unknown age are treated as old enough to go: an inconsistent
      // head must never strand items forever.
      const at = h.oldestEnqueuedAt ?? -Infinity;
      const rank = PRIORITIES.indexOf(h.priority);
      count += n;
      oldest = Math.min(oldest, at);
      if (rank < topRank || (rank === topRank && at < topOldest)) {
        topRank = rank;
        topOldest = at;
      }
    }
    if (count > 0) out.push({ kind, count, oldest, topRank, topOldest });
  }
  return out;
}

/** Highest priority first, then the oldest item at that priority; ITEM_KINDS order breaks ties. */
function byUrgency(a: KindSummary, b: KindSummary): number {
  if (a.topRank !== b.topRank) return a.topRank - b.topRank;
  if (a.topOldest !== b.topOldest) return a.topOldest < b.topOldest ? -1 : 1;
  return ITEM_KINDS.indexOf(a.kind) - ITEM_KINDS.indexOf(b.kind);
}
