import fc from 'fast-check';
import { chooseBatch, type BatchOptions, type QueueHead } from './batching';
import { ITEM_KINDS, MAX_ITEMS_PER_CALL, PRIORITIES, type ItemKind, type Priority } from './items';

const NOW = 1_000_000;
const LINGER = 2_000;
const opts = (over: Partial<BatchOptions> = {}): BatchOptions => ({
  now: NOW,
  lingerMs: LINGER,
  maxItems: 10,
  budgetRemaining: 1_000,
  ...over,
});
const head = (kind: ItemKind, priority: Priority, count: number, age: number | null): QueueHead => ({
  kind,
  priority,
  count,
  oldestEnqueuedAt: age === null ? null : NOW - age,
});

describe('chooseBatch', () => {
  it('when nothing is pending, then it is idle', () => {
    expect(chooseBatch([], opts())).toEqual({ action: 'idle' });
    expect(chooseBatch([head('url', 'high', 0, null)], opts())).toEqual({ action: 'idle' });
  });

  it('when items are pending but the budget is spent, then it reports budget', () => {
    expect(chooseBatch([head('url', 'low', 50, 60_000)], opts({ budgetRemaining: 0 }))).toEqual({ action: 'budget' });
  });

  it('when a kind has a full batch, then it is sent at once without lingering', () => {
    expect(chooseBatch([head('url', 'normal', 25, 0)], opts())).toEqual({ action: 'send', kind: 'url', size: 10 });
  });

  it('when a kind is full only across priorities, then the total counts', () => {
    const heads = [head('asset_id', 'high', 4, 0), head('asset_id', 'normal', 3, 0), head('asset_id', 'low', 3, 0)];
    expect(chooseBatch(heads, opts())).toEqual({ action: 'send', kind: 'asset_id', size: 10 });
  });

  it('when a partial batch is younger than the linger, then it waits until the oldest item has lingered', () => {
    const heads = [head('url', 'normal', 3, 500), head('asset_id', 'high', 2, 1_500)];
    expect(chooseBatch(heads, opts())).toEqual({ action: 'wait', until: NOW - 1_500 + LINGER });
  });

  it('when a partial batch has lingered long enough, then it is sent as it is', () => {
    expect(chooseBatch([head('url', 'low', 3, LINGER)], opts())).toEqual({ action: 'send', kind: 'url', size: 3 });
  });

  it('when the budget left is smaller than a batch, then a batch of the budget is full and sent now', () => {
    expect(chooseBatch([head('url', 'normal', 5, 0)], opts({ budgetRemaining: 4 }))).toEqual({
      action: 'send',
      kind: 'url',
      size: 4,
    });
  });

  it('when maxItems is lower than 10, then batches are cut at maxItems', () => {
    expect(chooseBatch([head('url', 'normal', 7, 0)], opts({ maxItems: 5 }))).toEqual({ action: 'send', kind: 'url', size: 5 });
  });

  it('when both kinds are ready, then the one holding the higher priority goes first', () => {
    const heads = [head('url', 'normal', 10, 60_000), head('asset_id', 'high', 1, LINGER)];
    expect(chooseBatch(heads, opts())).toMatchObject({ action: 'send', kind: 'asset_id' });
  });

  it('when both kinds are ready at the same priority, then the one with the older item goes first', () => {
    const heads = [head('asset_id', 'high', 10, 3_000), head('url', 'high', 10, 5_000)];
    expect(chooseBatch(heads, opts())).toMatchObject({ action: 'send', kind: 'url' });
  });

  it('when a higher-priority kind is not ready yet, then a ready lower-priority kind is not held back', () => {
    const heads = [head('asset_id', 'high', 1, 0), head('url', 'low', 1, LINGER)];
    expect(chooseBatch(heads, opts())).toEqual({ action: 'send', kind: 'url', size: 1 });
  });

  it('when a pending list reports no enqueue time, then its items are treated as due rather than stranded', () => {
    expect(chooseBatch([head('url', 'normal', 2, null)], opts())).toEqual({ action: 'send', kind: 'url', size: 2 });
  });
});

describe('chooseBatch properties', () => {
  const headsArb = fc.array(
    fc.record({
      kind: fc.constantFrom(...ITEM_KINDS),
      priority: fc.constantFrom(...PRIORITIES),
      count: fc.integer({ min: 0, max: 50 }),
      age: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }),
    }),
    { maxLength: 8 },
  ).map((rows) => rows.map((r) => head(r.kind, r.priority, r.count, r.age)));
  const optsArb = fc.record({
    now: fc.constant(NOW),
    lingerMs: fc.integer({ min: 0, max: 10_000 }),
    maxItems: fc.integer({ min: 1, max: MAX_ITEMS_PER_CALL }),
    budgetRemaining: fc.integer({ min: -5, max: 100 }),
  });
  const pendingOf = (heads: QueueHead[], kind?: ItemKind) =>
    heads.filter((h) => kind === undefined || h.kind === kind).reduce((n, h) => n + h.count, 0);

  it('a sent batch is never empty and never exceeds 10, maxItems, the budget or what is pending', () => {
    fc.assert(
      fc.property(headsArb, optsArb, (heads, o) => {
        const d = chooseBatch(heads, o);
        if (d.action !== 'send') return;
        expect(d.size).toBeGreaterThan(0);
        expect(d.size).toBeLessThanOrEqual(MAX_ITEMS_PER_CALL);
        expect(d.size).toBeLessThanOrEqual(o.maxItems);
        expect(d.size).toBeLessThanOrEqual(o.budgetRemaining);
        expect(d.size).toBeLessThanOrEqual(pendingOf(heads, d.kind));
      }),
    );
  });

  it('when items are pending and the budget is 0 or less, then it always reports budget', () => {
    fc.assert(
      fc.property(headsArb, optsArb, fc.integer({ min: -100, max: 0 }), (heads, o, budget) => {
        fc.pre(pendingOf(heads) > 0);
        expect(chooseBatch(heads, { ...o, budgetRemaining: budget })).toEqual({ action: 'budget' });
      }),
    );
  });

  it('it is idle exactly when nothing is pending, and a wait always ends in the future', () => {
    fc.assert(
      fc.property(headsArb, optsArb, (heads, o) => {
        const d = chooseBatch(heads, o);
        expect(d.action === 'idle').toBe(pendingOf(heads) === 0);
        if (d.action === 'wait') expect(d.until).toBeGreaterThan(o.now);
      }),
    );
  });

  it('even if maxItems is out of range, a batch never exceeds 10', () => {
    fc.assert(
      fc.property(headsArb, optsArb, fc.integer({ min: -5, max: 1_000 }), (heads, o, maxItems) => {
        const d = chooseBatch(heads, { ...o, maxItems });
        if (d.action === 'send') {
          expect(d.size).toBeGreaterThan(0);
          expect(d.size).toBeLessThanOrEqual(MAX_ITEMS_PER_CALL);
        }
      }),
    );
  });
});
