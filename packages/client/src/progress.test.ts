import { progressOf } from './progress';
import type { RequestView } from './types';

const view = (extra: Record<string, unknown> = {}): RequestView => ({
  request_id: 'news.1', tenant: 'news', priority: 'normal', created_at: '2026-11-23T10:00:00Z', status: 'in_progress',
  counts: { pending: 3, deferred: 1, in_flight: 2, submitted: 4, completed: 5, failed: 1, unknown: 1, canceled: 2 },
  task_ids: [], received: 20, ingested: 20, estimated_completion_at: null, budget_days_needed: null, ...extra,
});

describe('progress of a request', () => {
  it('when items are in every state, then done counts only the final ones out of all unique items', () => {
    expect(progressOf(view())).toMatchObject({ total: 19, done: 9, estimatedCompletionAt: undefined });
  });

  it('when the service estimates the completion, then it is read as a date', () => {
    expect(progressOf(view({ estimated_completion_at: '2026-11-24T16:00:00Z' })).estimatedCompletionAt).toEqual(new Date('2026-11-24T16:00:00Z'));
  });
});
