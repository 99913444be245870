import { createSimulator, type Simulator } from '../src';
import { signedCall, type Credentials } from './signed-call';

const PROJECT = '0123456789abcdef0123456789abcdef';
const KEYS: Credentials = { accessKey: 'SIMTESTACCESSKEY0001', secretKey: 'sim-test-secret' };
const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://cdn.example.com/r/${i}.mp4`);
const DURATION_MS = 1000;

describe('ShowRefreshResult verdicts', () => {
  let sim: Simulator;
  let base: string;
  let clock: number;

  beforeEach(async () => {
    clock = Date.now();
    sim = createSimulator({ projects: [{ projectId: PROJECT, ...KEYS }], taskDurationMs: DURATION_MS, now: () => clock });
    base = (await sim.start(0)).url;
  });

  afterEach(async () => {
    await sim.stop();
  });

  async function refresh(items: string[]): Promise<string> {
    const res = await signedCall({ method: 'POST', url: `${base}/v1/${PROJECT}/asset/refresh`, body: { urls: items }, credentials: KEYS, date: new Date(clock) });
    if (res.status !== 202) throw new Error(`refresh answered ${res.status}`);
    return (res.json as { task_id: string }).task_id;
  }
  async function statuses(taskId: string): Promise<Record<string, string>> {
    const res = await signedCall({ method: 'GET', url: `${base}/v1/${PROJECT}/asset/refresh?task_id=${taskId}`, credentials: KEYS, date: new Date(clock) });
    const results = (res.json as { refresh_results: Array<{ url: string; status: string }> }).refresh_results;
    return Object.fromEntries(results.map((r) => [r.url, r.status]));
  }

  it('when items are listed in failItems, then their task reports them PROCESSING, then FAILED while the rest SUCCEED', async () => {
    const items = urls(4);
    sim.failItems([items[1]!, items[3]!]);
    const taskId = await refresh(items);

    expect(Object.values(await statuses(taskId))).toEqual(['PROCESSING', 'PROCESSING', 'PROCESSING', 'PROCESSING']);
    clock += DURATION_MS;
    expect(await statuses(taskId)).toEqual({ [items[0]!]: 'SUCCEED', [items[1]!]: 'FAILED', [items[2]!]: 'SUCCEED', [items[3]!]: 'FAILED' });
  });

  it('when failItems comes after a task was accepted, then that task keeps its verdict and later tasks fail the items', async () => {
    const items = urls(2);
    const before = await refresh(items);
    const res = await fetch(`${base}/_sim/fail-items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ items: [items[0]] }) });
    expect(res.status).toBe(204);
    const after = await refresh(items);
    clock += DURATION_MS;

    expect(Object.values(await statuses(before))).toEqual(['SUCCEED', 'SUCCEED']);
    expect(Object.values(await statuses(after))).toEqual(['FAILED', 'SUCCEED']);
  });

  it('when reset() runs, then the failing list is forgotten', async () => {
    sim.failItems(urls(1));
    sim.reset();
    const taskId = await refresh(urls(1));
    clock += DURATION_MS;

    expect(Object.values(await statuses(taskId))).toEqual(['SUCCEED']);
  });
});

describe('ShowRefreshResult for asset ids', () => {
  const ASSET = '9db42f5e08c15edecd99a98da241994a';
  const OTHER = '0f0e0d0c0b0a09080706050403020100';
  const CATALOGUED = [`https://media.example.com/asset/${OTHER}/master.m3u8`, `https://media.example.com/asset/${OTHER}/poster.png`];
  let sim: Simulator;
  let base: string;
  let clock: number;

  beforeEach(async () => {
    clock = Date.now();
    sim = createSimulator({ projects: [{ projectId: PROJECT, ...KEYS }], taskDurationMs: DURATION_MS, now: () => clock, catalogue: { [OTHER]: CATALOGUED } });
    base = (await sim.start(0)).url;
  });

  afterEach(async () => {
    await sim.stop();
  });

  async function refreshAssets(ids: string[]): Promise<Record<string, string>> {
    const res = await signedCall({ method: 'POST', url: `${base}/v1/${PROJECT}/asset/refresh`, body: { asset_id_list: ids }, credentials: KEYS, date: new Date(clock) });
    const taskId = (res.json as { task_id: string }).task_id;
    clock += DURATION_MS;
    const shown = await signedCall({ method: 'GET', url: `${base}/v1/${PROJECT}/asset/refresh?task_id=${taskId}`, credentials: KEYS, date: new Date(clock) });
    return Object.fromEntries((shown.json as { refresh_results: Array<{ url: string; status: string }> }).refresh_results.map((r) => [r.url, r.status]));
  }

  it("when an asset-id task is done, then its verdict lists the assets' playback URLs, from the catalogue or derived in VOD's shape", async () => {
    expect(await refreshAssets([ASSET, OTHER])).toEqual({
      [`https://example.com/asset/${ASSET}/index.m3u8`]: 'SUCCEED',
      [`https://example.com/asset/${ASSET}/720p.m3u8`]: 'SUCCEED',
      [`https://example.com/asset/${ASSET}/1080p.m3u8`]: 'SUCCEED',
      [`https://example.com/asset/${ASSET}/cover.jpg`]: 'SUCCEED',
      [CATALOGUED[0]!]: 'SUCCEED',
      [CATALOGUED[1]!]: 'SUCCEED',
    });
  });

  it('when an asset, or one of its URLs, is failing, then its URLs, or that URL alone, end FAILED', async () => {
    sim.failItems([ASSET, CATALOGUED[1]!]);
    const statuses = await refreshAssets([ASSET, OTHER]);
    expect(Object.entries(statuses).filter(([, s]) => s === 'FAILED').map(([u]) => u)).toEqual([
      ...['index.m3u8', '720p.m3u8', '1080p.m3u8', 'cover.jpg'].map((f) => `https://example.com/asset/${ASSET}/${f}`),
      CATALOGUED[1],
    ]);
    expect(statuses[CATALOGUED[0]!]).toBe('SUCCEED');
  });
});
