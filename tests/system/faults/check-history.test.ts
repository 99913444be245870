import { checkHistory, type AcceptedCall, type History, type RequestStatus } from './check-history';

/**
 * The fault suite is only as good as its judge: each test hands it a history broken in one way
 * and expects that breach, so a green fault run means something.
 */
const P = 'p'.repeat(32);
const tenants = [{ id: 'news', projectId: P, dailyLimit: 5 }];
const call = (taskId: string, items: string[], over: Partial<AcceptedCall> = {}): AcceptedCall => ({
  taskId, projectId: P, kind: 'asset_id', items, acceptedAt: 100, day: '2026-01-01', answerDelivered: true, polls: 1, ...over,
});
const status = (requestId: string, items: Array<[string, string, string?]>, over: Partial<RequestStatus> = {}): RequestStatus => ({
  requestId,
  tenant: 'news',
  status: 'completed',
  taskIds: [...new Set(items.flatMap(([, , t]) => (t ? [t] : [])))],
  items: items.map(([value, state, task_id]) => ({ kind: 'asset_id' as const, value, state, ...(task_id ? { task_id } : {}) })),
  ...over,
});
const asked = (requestId: string | undefined, values: string[], firstSentAt = 0) => ({
  tenant: 'news', items: values.map((value) => ({ kind: 'asset_id' as const, value })), firstSentAt, ...(requestId ? { requestId } : {}),
});

/** Two requests sharing item b, sent in two calls, all completed: nothing to report. */
function cleanHistory(): History {
  return {
    tenants,
    requests: [asked('r1', ['a', 'b']), asked('r2', ['b', 'c'])],
    statuses: new Map([
      ['r1', status('r1', [['a', 'completed', 't1'], ['b', 'completed', 't1']])],
      ['r2', status('r2', [['b', 'completed', 't1'], ['c', 'completed', 't2']])],
    ]),
    calls: [call('t1', ['a', 'b']), call('t2', ['c'], { acceptedAt: 200 })],
  };
}

describe('the fault suite history checker', () => {
  it('when every promise held, then it reports no breach and counts the run', () => {
    const { breaches, figures } = checkHistory(cleanHistory());
    expect(breaches).toEqual([]);
    expect(figures).toMatchObject({ requestsAccepted: 2, itemsAccepted: 4, callsAccepted: 2, lost: 0, stuck: 0, overspend: 0, duplicatesAfterUnknown: 0 });
    expect(figures.usage).toEqual({ news: { '2026-01-01': 3 } });
  });

  it('when an accepted request is unknown to the status API or misses an item, then its items are lost', () => {
    const h = cleanHistory();
    h.statuses.delete('r2');
    h.statuses.set('r1', status('r1', [['a', 'completed', 't1']]));
    const { breaches, figures } = checkHistory(h);
    expect(figures.lost).toBe(3);
    expect(breaches.some((b) => b.startsWith('lost: request r2'))).toBe(true);
    expect(breaches.some((b) => b.startsWith('lost: b of r1'))).toBe(true);
  });

  it('when an item is still pending, deferred or submitted, then it is stuck', () => {
    const h = cleanHistory();
    h.statuses.set('r2', status('r2', [['b', 'completed', 't1'], ['c', 'deferred']], { status: 'in_progress' }));
    const { breaches, figures } = checkHistory(h);
    expect(figures.stuck).toBe(1);
    expect(breaches).toContain('stuck: c of r2 is still deferred');
  });

  it('when VOD accepted more items of a tenant in one day than its limit, then that is overspend', () => {
    const h = cleanHistory();
    h.requests.push(asked('r3', ['d', 'e', 'f']));
    h.statuses.set('r3', status('r3', [['d', 'completed', 't3'], ['e', 'completed', 't3'], ['f', 'completed', 't3']]));
    h.calls.push(call('t3', ['d', 'e', 'f'], { acceptedAt: 300 }));
    const { breaches, figures } = checkHistory(h);
    expect(figures.overspend).toBe(1);
    expect(breaches).toEqual(['overspend: news had 6 items accepted on 2026-01-01, limit 5']);
  });

  it('when the same items are spread over two budget days, then neither day is overspent', () => {
    const h = cleanHistory();
    h.requests.push(asked('r3', ['d', 'e', 'f']));
    h.statuses.set('r3', status('r3', [['d', 'completed', 't3'], ['e', 'completed', 't3'], ['f', 'completed', 't3']]));
    h.calls.push(call('t3', ['d', 'e', 'f'], { acceptedAt: 300, day: '2026-01-02' }));
    expect(checkHistory(h).breaches).toEqual([]);
  });

  it('when a call carried 11 items, none, or both kinds, then each is a batch breach', () => {
    const h = cleanHistory();
    h.calls.push(call('big', Array.from({ length: 11 }, (_, i) => `x${i}`), { day: 'other' }));
    h.calls.push(call('none', [], { day: 'other' }));
    h.calls.push(call('mixed', ['y'], { kind: 'mixed', day: 'other' }));
    h.tenants = [{ ...tenants[0]!, dailyLimit: 100 }];
    const batch = checkHistory(h).breaches.filter((b) => b.startsWith('batch:'));
    expect(batch).toEqual(['batch: task big carried 11 items', 'batch: task none carried 0 items', 'batch: task mixed mixed kinds (mixed)']);
  });

  it('when a pending item went out twice with a known outcome, then it is a duplicate', () => {
    const h = cleanHistory();
    h.calls.push(call('t1b', ['a'], { acceptedAt: 150 }));
    expect(checkHistory(h).breaches).toEqual([
      `duplicate: ${P}|a was sent in task t1b, answered and polled, yet no request shows that task: it was sent again`,
    ]);
  });

  it('when an item went out again after a call whose answer was lost or never used, then it is counted, not a breach', () => {
    const h = cleanHistory();
    h.calls.unshift(call('lost', ['a', 'b'], { acceptedAt: 50, answerDelivered: false, polls: 0 }));
    h.calls.push(call('unused', ['c'], { acceptedAt: 150, answerDelivered: true, polls: 0 }));
    h.tenants = [{ ...tenants[0]!, dailyLimit: 100 }];
    const { breaches, figures } = checkHistory(h);
    expect(breaches).toEqual([]);
    expect(figures.unknownOutcomeCalls).toBe(2);
    expect(figures.duplicatesAfterUnknown).toBe(3);
  });

  it('when an item was sent before any caller asked for it, then that is a breach', () => {
    const h = cleanHistory();
    h.requests[1] = asked('r2', ['b', 'c'], 500);
    expect(checkHistory(h).breaches).toEqual([`duplicate: ${P}|c was sent before any caller asked for it`]);
  });

  it('when the status API shows a task VOD never issued, or issued for other items, then it is a task breach', () => {
    const h = cleanHistory();
    h.statuses.set('r2', status('r2', [['b', 'completed', 't2'], ['c', 'completed', 'forged']]));
    const task = checkHistory(h).breaches.filter((b) => b.startsWith('task:'));
    expect(task).toEqual([
      'task: r2 shows task t2 for b; VOD issued it for other items',
      'task: r2 shows task forged for c; VOD never issued it',
      'task: r2 lists task forged; VOD never issued it',
    ]);
  });
});
