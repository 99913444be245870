import type { RequestRecord } from '@refresh/store';
import { NO_ESTIMATE } from './estimate';
import { describeRequest } from './request-view';

const base: RequestRecord = {
  requestId: 'news.abcdef0123456789abcdef01',
  tenant: 'news',
  priority: 'normal',
  createdAt: Date.parse('2030-01-01T00:00:00Z'),
  received: 10,
  ingested: 0,
  ingestDone: false,
  counts: { pending: 0, deferred: 0, in_flight: 0, submitted: 0, completed: 0, failed: 0, unknown: 0, canceled: 0 },
  taskIds: [],
  taskIdsTotal: 0,
};
const open = { spent: false, resetsAt: Date.parse('2030-01-01T16:00:00Z') };
const spent = { ...open, spent: true };
const estimate = { estimated_completion_at: '2030-01-01T00:10:00.000Z', budget_days_needed: 1 };
const rec = (r: Partial<RequestRecord>): RequestRecord => ({ ...base, ...r, counts: { ...base.counts, ...r.counts } });

describe('describeRequest', () => {
  it('when nothing was coalesced yet, then it is accepted and all it received is pending', () => {
    expect(describeRequest(base, open, estimate)).toMatchObject({ status: 'accepted', counts: { pending: 10, deferred: 0 } });
  });

  it('when part is coalesced, then the uncoalesced lines add to pending and it is in progress', () => {
    const r = rec({ ingested: 6, counts: { ...base.counts, pending: 3, in_flight: 2 } });
    expect(describeRequest(r, open, estimate)).toMatchObject({ status: 'in_progress', counts: { pending: 7, in_flight: 2 } });
  });

  it("when today's budget is spent, then every pending item is deferred until it resets", () => {
    const view = describeRequest(rec({ ingested: 4, counts: { ...base.counts, pending: 4 } }), spent, estimate);
    expect(view.counts).toMatchObject({ pending: 0, deferred: 10 });
    expect(view.next_attempt_at).toBe('2030-01-01T16:00:00.000Z');
  });

  it('when a claimed batch waits for the next budget day, then its items are deferred, not in flight, with budget left or not', () => {
    const r = rec({ ingested: 10, ingestDone: true, counts: { ...base.counts, deferred: 10 } });
    const view = describeRequest(r, open, estimate);
    expect(view).toMatchObject({ status: 'in_progress', counts: { pending: 0, deferred: 10, in_flight: 0 } });
    expect(view.next_attempt_at).toBe('2030-01-01T16:00:00.000Z');
    const both = describeRequest(rec({ ingested: 10, ingestDone: true, counts: { ...base.counts, pending: 4, deferred: 6 } }), spent, estimate);
    expect(both.counts).toMatchObject({ pending: 0, deferred: 10, in_flight: 0 });
  });

  it('when every item has its verdict, then it is completed and a spent budget changes nothing', () => {
    const r = rec({ ingested: 10, ingestDone: true, counts: { ...base.counts, completed: 7, failed: 2, unknown: 1 } });
    const view = describeRequest(r, spent, estimate);
    expect(view).toMatchObject({
      status: 'completed',
      counts: { pending: 0, deferred: 0, in_flight: 0, submitted: 0, completed: 7, failed: 2, unknown: 1, canceled: 0 },
    });
    expect(view).not.toHaveProperty('next_attempt_at');
  });

  it("when items are submitted but VOD's verdict is not in yet, then it is still in progress", () => {
    const r = rec({ ingested: 10, ingestDone: true, counts: { ...base.counts, submitted: 3, completed: 7 } });
    expect(describeRequest(r, open, estimate)).toMatchObject({ status: 'in_progress', counts: { submitted: 3, completed: 7 } });
  });
});

describe('describeRequest estimates', () => {
  it('when a request is still open, then it carries the estimate; once completed, both fields are null', () => {
    const openView = describeRequest(rec({ ingested: 10, ingestDone: true, counts: { ...base.counts, pending: 3, completed: 7 } }), open, estimate);
    expect(openView).toMatchObject(estimate);
    const done = describeRequest(rec({ ingested: 10, ingestDone: true, counts: { ...base.counts, completed: 10 } }), open, estimate);
    expect(done).toMatchObject({ status: 'completed', estimated_completion_at: null, budget_days_needed: null });
  });

  it('when an admin canceled it, then canceled items are final, lines never coalesced count nowhere, and it completes when nothing is open', () => {
    const canceledAt = Date.parse('2030-01-01T01:00:00Z');
    const ending = describeRequest(rec({ ingested: 4, canceledAt, counts: { ...base.counts, canceled: 3, in_flight: 1 } }), open, NO_ESTIMATE);
    expect(ending).toMatchObject({ status: 'in_progress', counts: { pending: 0, in_flight: 1, canceled: 3 }, canceled_at: '2030-01-01T01:00:00.000Z' });
    expect(describeRequest(rec({ ingested: 4, ingestDone: true, canceledAt, counts: { ...base.counts, canceled: 3, completed: 1 } }), open, NO_ESTIMATE).status).toBe('completed');
    // canceled before its ingest started: it is ending, not waiting to be accepted
    expect(describeRequest(rec({ canceledAt }), open, NO_ESTIMATE)).toMatchObject({ status: 'in_progress', counts: { pending: 0 } });
  });
});
