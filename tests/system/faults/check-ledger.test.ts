import { checkLedger, type SpendDay } from './check-ledger';

const day = (d: Partial<SpendDay>): SpendDay => ({ day: '2026-01-01', spent: 0, refused: 0, voided: 0, unknown_outcome: 0, quota_raise: 0, ...d });

describe('checking the spend ledger against VOD', () => {
  it('when our count exceeds VOD\'s by refused units and some of unknown outcome, then it holds', () => {
    expect(checkLedger('t', { '2026-01-01': 90 }, [day({ spent: 100, refused: 4, unknown_outcome: 8 })]).breaches).toEqual([]);
  });

  it('when our count exceeds VOD\'s by more than the ledger explains, then it is a breach', () => {
    const { breaches } = checkLedger('t', { '2026-01-01': 90 }, [day({ spent: 100, refused: 4, unknown_outcome: 5 })]);
    expect(breaches).toHaveLength(1);
    expect(breaches[0]).toMatch(/^ledger: t 2026-01-01 counted 100, VOD 90/);
  });

  it('when VOD counted more than we did, then it is a breach', () => {
    expect(checkLedger('t', { '2026-01-01': 101 }, [day({ spent: 100, unknown_outcome: 20 })]).breaches).toHaveLength(1);
  });

  it('when neither counted anything on a day, then the day is skipped', () => {
    expect(checkLedger('t', {}, [day({})])).toEqual({ breaches: [], rows: [] });
  });
});
