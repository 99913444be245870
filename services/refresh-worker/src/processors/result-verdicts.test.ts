import type { RefreshStatus } from '@refresh/vod-client';
import { aggregateVerdict, nextPollDelay, verdictsFor } from './result-verdicts';

const result = (url: string, status: string) => ({ url, status: status as RefreshStatus });
const urlBatch = { kind: 'url' as const, ids: ['1', '2', '3'], values: ['https://cdn.example.com/a', 'https://cdn.example.com/B', 'https://cdn.example.com/c'] };

describe('aggregateVerdict', () => {
  it.each([
    [[], null],
    [['SUCCEED', 'SUCCEED'], 'completed'],
    [['succeed', 'Succeed'], 'completed'],
    [['SUCCEED', 'PROCESSING'], null],
    [['PROCESSING', 'failed'], 'failed_vod'],
    [['SUCCEED', 'SOMETHING_NEW'], null],
  ])('when VOD reports %j, then the verdict is %s', (statuses, verdict) => {
    expect(aggregateVerdict(statuses)).toBe(verdict);
  });
});

describe('verdictsFor', () => {
  it('when VOD reports each sent URL, then each item takes its own status and unfinished ones are left out', () => {
    const v = verdictsFor(urlBatch, [
      result('https://cdn.example.com/a', 'SUCCEED'),
      result('https://cdn.example.com/B', 'FAILED'),
      result('https://cdn.example.com/c', 'PROCESSING'),
    ]);
    expect(v).toEqual([{ id: '1', verdict: 'completed' }, { id: '2', verdict: 'failed_vod' }]);
  });

  it('when VOD spells scheme or host differently, then the URL still matches, but a different path never does', () => {
    const v = verdictsFor(urlBatch, [
      result('HTTPS://CDN.Example.com:443/a', 'succeed'),
      result('https://cdn.example.com/b', 'SUCCEED'), // path case matters: not item 2's URL
    ]);
    expect(v).toEqual([{ id: '1', verdict: 'completed' }]);
  });

  it('when VOD reports something that is not a URL, then it matches nothing and nothing breaks', () => {
    expect(verdictsFor(urlBatch, [result('not a url', 'SUCCEED')])).toEqual([]);
  });

  it("when an asset batch's URLs all succeed, then every asset completes; when any fails, every asset fails", () => {
    const assets = { kind: 'asset_id' as const, ids: ['7', '8'], values: ['a1', 'a2'] };
    const done = [result('https://cdn/x/1.mp4', 'SUCCEED'), result('https://cdn/x/2.mp4', 'SUCCEED')];
    expect(verdictsFor(assets, done).map((v) => v.verdict)).toEqual(['completed', 'completed']);
    const oneFailed = [result('https://cdn/x/1.mp4', 'PROCESSING'), result('https://cdn/x/2.mp4', 'FAILED')];
    expect(verdictsFor(assets, oneFailed).map((v) => v.verdict)).toEqual(['failed_vod', 'failed_vod']);
    expect(verdictsFor(assets, [result('https://cdn/x/1.mp4', 'PROCESSING')])).toEqual([]);
    expect(verdictsFor(assets, [])).toEqual([]);
  });
});

describe('nextPollDelay', () => {
  const opts = { initialDelayMs: 1000, maxDelayMs: 10_000, maxAgeMs: 60_000 };

  it('when a task stays unfinished, then polls land at 1, 2, 4, 8 s after acceptance and the gap stops at the cap', () => {
    let age = 1000; // the first poll, pollInitialDelayMs after acceptance
    const at = [age];
    for (let i = 0; i < 6; i++) {
      age += nextPollDelay(age, opts);
      at.push(age);
    }
    expect(at).toEqual([1000, 2000, 4000, 8000, 16_000, 26_000, 36_000]);
  });

  it('when the deadline is closer than the next gap, then the last poll is at the deadline', () => {
    expect(nextPollDelay(55_000, opts)).toBe(5000);
  });

  it('when VOD asks to wait longer, then its Retry-After wins, up to the deadline', () => {
    expect(nextPollDelay(2000, opts, 7000)).toBe(7000);
    expect(nextPollDelay(58_000, opts, 7000)).toBe(2000);
  });
});
