import { toVodResults } from './drop-in-results';

describe("our item states in VOD's refresh_results", () => {
  it('when items are anywhere before a verdict, then they are PROCESSING', () => {
    const states = ['pending', 'deferred', 'in_flight', 'submitted'] as const;
    expect(toVodResults(states.map((state, i) => ({ kind: 'url', value: `https://x/${i}`, state })))).toEqual(
      states.map((_, i) => ({ url: `https://x/${i}`, status: 'PROCESSING' })),
    );
  });

  it('when items are final, then completed is SUCCEED and failed or unknown is FAILED', () => {
    expect(
      toVodResults([
        { kind: 'url', value: 'https://x/ok', state: 'completed' },
        { kind: 'url', value: 'https://x/no', state: 'failed', error: { code: 'VOD.10062', message: 'gone' } },
        { kind: 'asset_id', value: 'a1', state: 'unknown' },
      ]),
    ).toEqual([
      { url: 'https://x/ok', status: 'SUCCEED' },
      { url: 'https://x/no', status: 'FAILED' },
      { asset_id: 'a1', status: 'FAILED' },
    ]);
  });

  it('when an item record has expired, then it is left out, as its value is no longer known', () => {
    expect(toVodResults([{ kind: 'url', value: '', state: 'expired' }, { kind: 'asset_id', value: 'a2', state: 'pending' }])).toEqual([
      { asset_id: 'a2', status: 'PROCESSING' },
    ]);
  });
});
