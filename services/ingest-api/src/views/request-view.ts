import type { RequestView } from '@refresh/contract';
import type { RequestRecord } from '@refresh/store';
import { NO_ESTIMATE, type EstimateFields } from './estimate';

/**
 * What a caller sees of a request. Lines not yet coalesced count as pending; `ingested` (raw
 * lines coalesced so far, duplicates included, like `received`) tells them apart. Deferred is everything waiting for
 * the budget reset: pending items while the tenant's budget for today is spent (nothing pending
 * can move before it resets), and claimed items whose batch waits for the next budget day.
 * Submitted items still wait for VOD's verdict, so a request is completed only when every item
 * is completed, failed, unknown or canceled. Lines of a canceled request not yet coalesced never
 * will be, so they count nowhere. A completed request has nothing left to estimate.
 */
export function describeRequest(r: RequestRecord, budget: { spent: boolean; resetsAt: number }, estimate: EstimateFields): RequestView {
  const uncoalesced = r.ingestDone || r.canceledAt !== undefined ? 0 : Math.max(0, r.received - r.ingested);
  const waiting = r.counts.pending + uncoalesced;
  const pending = budget.spent ? 0 : waiting;
  const deferred = (budget.spent ? waiting : 0) + r.counts.deferred;
  const { in_flight, submitted, completed, failed, unknown, canceled } = r.counts;
  const claimed = in_flight + r.counts.deferred;
  // a request canceled before its ingest started is no longer waiting to be accepted: it is ending
  const moved = r.ingested > 0 || r.canceledAt !== undefined || claimed + submitted + completed + failed + unknown + canceled > 0;
  let status: RequestView['status'];
  if (!r.ingestDone && !moved) status = 'accepted';
  else if (!r.ingestDone || waiting + claimed + submitted > 0) status = 'in_progress';
  else status = 'completed';

  const view: RequestView = {
    request_id: r.requestId,
    tenant: r.tenant,
    priority: r.priority,
    created_at: new Date(r.createdAt).toISOString(),
    status,
    counts: { pending, deferred, in_flight, submitted, completed, failed, unknown, canceled },
    task_ids: r.taskIds,
    received: r.received,
    ingested: r.ingested,
    ...(status === 'completed' ? NO_ESTIMATE : estimate),
  };
  if (deferred > 0) view.next_attempt_at = new Date(budget.resetsAt).toISOString();
  if (r.notBefore !== undefined) {
    view.not_before = new Date(r.notBefore).toISOString();
    // not coalesced yet: it waits for its not_before (the ingest job is delayed until then)
    if (status === 'accepted') view.next_attempt_at = view.not_before;
  }
  if (r.canceledAt !== undefined) view.canceled_at = new Date(r.canceledAt).toISOString();
  return view;
}
