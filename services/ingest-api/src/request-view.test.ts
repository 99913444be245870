import type { RequestRecord } from '@refresh/store';
import { describeRequest } from './request-view';

const base: RequestRecord = {
  requestId: 'news.abcdef0123456789abcdef01',
  tenant: 'news',
  priority: 'normal',
  createdAt: Date.parse('2030-01-01T00:00:00Z'),
  received: 10,
  ingested: 0,
  ingestDone: false,
  counts: { pending: 0, in_flight: 0, submitted: 0, completed: 0, failed: 0, unknown: 0 },
  taskIds: [],
  taskIdsTotal: 0,
};
const open = { spent: false, resetsAt: Date.parse('2030-01-01T16:00:00Z') };
const spent = { ...open, spent: true };
const rec = (r: Partial<RequestRecord>): RequestRecord => ({ ...base, ...r, counts: { ...base.counts, ...r.counts } });

describe('describeRequest', () => {
  it('when nothing was coalesced yet, then it is accepted and all it received is pending', () => {
    expect(describeRequest(base, open)).toMatchObject({ status: 'accepted', counts: { pending: 10, deferred: 0 } });
  });

  it('when part is coalesced, then the uncoalesced lines add to pending and it is in progress', () => {
    const r = rec({ ingested: 6, counts: { ...base.counts, pending: 3, in_flight: 2 } });
    expect(describeRequest(r, open)).toMatchObject({ status: 'in_progress', counts: { pending: 7, in_flight: 2 } });
  });

  it("when today's budget is spent, then every pending item is deferred until it resets", () => {
    const view = describeRequest(rec({ ingested: 4, counts: { ...base.counts, pending: 4 } }), spent);
    expect(view.counts).toMatchObject({ pending: 0, deferred: 10 });
    expect(view.next_attempt_at).toBe('2030-01-01T16:00:00.000Z');
  });

  it('when every item has its verdict, then it is completed and a spent budget changes nothing', () => {
    const r = rec({ ingested: 10, ingestDone: true, counts: { ...base.counts, completed: 7, failed: 2, unknown: 1 } });
    const view = describeRequest(r, spent);
    expect(view).toMatchObject({
      status: 'completed',
      counts: { pending: 0, deferred: 0, in_flight: 0, submitted: 0, completed: 7, failed: 2, unknown: 1 },
    });
    expect(view).not.toHaveProperty('next_attempt_at');
  });

  it("when items are submitted but VOD's verdict is not in yet, then it is still in progress", () => {
    const r = rec({ ingested: 10, ingestDone: true, counts: { ...base.counts, submitted: 3, completed: 7 } });
    expect(describeRequest(r, open)).toMatchObject({ status: 'in_progress', counts: { submitted: 3, completed: 7 } });
  });
});
