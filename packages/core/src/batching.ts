import { ITEM_KINDS, MAX_ITEMS_PER_CALL, PRIORITIES, type ItemKind, type Priority } from './items';

/**
 * When to cut a batch, and of what: the reference model of the choice the store's
 * claim-batch.lua makes atomically (with duties this leaves out: lanes, the urgent reserve, the
 * pace, the debounce, cancels, asset cover). packages/store/test/claim-batch-model.test.ts
 * checks the script against it on a real Redis; no service calls it.
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
  // Ready: full, or cut short by today's budget (more items could not make it larger), or its
  // oldest item has lingered. A batch that takes exactly the budget left, with no item over,
  // still lingers: so the script decides.
  const ready = kinds.filter((k) => {
    const size = Math.min(maxItems, k.count, budget);
    return size >= maxItems || size < k.count || opts.now - k.oldest >= opts.lingerMs;
  });

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
