import type { RequestCounts, RequestView } from './types';

/** The states an item does not leave. */
export const FINAL_STATES = ['completed', 'failed', 'unknown', 'canceled'] as const;

export interface Progress {
  /** unique items of the request */
  total: number;
  /** items in a final state */
  done: number;
  counts: RequestCounts;
  /** the service's estimate of when the last item will be final, when it gives one */
  estimatedCompletionAt?: Date;
}

/** A request view summed up for a progress display. */
export function progressOf(view: RequestView): Progress {
  const counts = view.counts;
  const total = Object.values(counts).reduce((a: number, b) => a + (typeof b === 'number' ? b : 0), 0);
  const done = FINAL_STATES.reduce((a, s) => a + counts[s], 0);
  // read loosely: older services do not send it, and the generated type may not have it yet
  const eta = (view as { estimated_completion_at?: unknown }).estimated_completion_at;
  const at = typeof eta === 'string' ? new Date(eta) : undefined;
  return { total, done, counts, estimatedCompletionAt: at && !Number.isNaN(at.getTime()) ? at : undefined };
}
