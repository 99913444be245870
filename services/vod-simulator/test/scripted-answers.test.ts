import { createSimulator, type Simulator } from '../src';
import { signedCall, type Credentials } from './signed-call';

const PROJECT = '0123456789abcdef0123456789abcdef';
const OTHER_PROJECT = 'fedcba9876543210fedcba9876543210';
const KEYS: Credentials = { accessKey: 'SIMTESTACCESSKEY0001', secretKey: 'sim-test-secret' };
const OTHER_KEYS: Credentials = { accessKey: 'SIMTESTACCESSKEY0002', secretKey: 'other-secret' };
const assets = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(32, '0'));

/** Every row of the error table in docs/upstream-vod.md, in both gateway spellings. */
const TABLE_ROWS: Array<[status: number, code: string]> = [
  [400, 'VOD.10053'], [400, 'VOD.10081'], [403, 'VOD.10062'], [400, 'VOD.10060'], [403, 'VOD.10061'], [400, 'VOD.10083'],
  [403, 'VOD.10054'], [403, 'VOD.10055'], [403, 'VOD.10056'], [403, 'VOD.10057'], [403, 'VOD.10051'], [403, 'VOD.10052'],
  [403, 'VOD.10127'], [401, 'APIGW.0301'], [401, 'APIG.0301'], [401, 'APIGW.0303'], [401, 'APIGW.0305'], [403, 'APIGW.0302'],
  [403, 'APIGW.0306'], [403, 'APIG.0310'], [401, 'APIGW.0307'], [429, 'APIGW.0308'], [413, 'APIGW.0201'], [502, 'APIGW.0201'],
  [504, 'APIG.0201'],
];

describe('simulator answers on demand', () => {
  let sim: Simulator;
  let base: string;

  beforeEach(async () => {
    sim = createSimulator({
      projects: [
        { projectId: PROJECT, ...KEYS },
        { projectId: OTHER_PROJECT, ...OTHER_KEYS },
      ],
    });
    base = (await sim.start(0)).url;
  });

  afterEach(async () => {
    await sim.stop();
  });

  const refresh = (body: unknown, extra: { project?: string; credentials?: Credentials } = {}) =>
    signedCall({ method: 'POST', url: `${base}/v1/${extra.project ?? PROJECT}/asset/refresh`, body, credentials: extra.credentials ?? KEYS });
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('when the next 2 calls for a project are scripted, then exactly those 2 get the answer, nothing counts, and other projects are untouched', async () => {
    sim.script(PROJECT, 2, { status: 403, code: 'VOD.10054', message: 'auth failed' });

    expect(await refresh({ urls: ['https://cdn.example.com/a'] }, { project: OTHER_PROJECT, credentials: OTHER_KEYS })).toMatchObject({ status: 202 });
    for (let i = 0; i < 2; i++) {
      const res = await refresh({ urls: ['https://cdn.example.com/a'] });
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ error_code: 'VOD.10054', error_msg: 'auth failed' });
    }
    expect((await refresh({ urls: ['https://cdn.example.com/a'] })).status).toBe(202);
    const counted = Object.fromEntries(Object.entries(sim.usage()).map(([project, days]) => [project, Object.values(days)]));
    expect(counted).toEqual({ [PROJECT]: [1], [OTHER_PROJECT]: [1] });
    expect(sim.calls().map((c) => c.projectId)).toEqual([OTHER_PROJECT, PROJECT]);
  });

  it.each(TABLE_ROWS)('when %i %s is scripted, then the call gets that status and code with its documented meaning', async (status, code) => {
    sim.script(PROJECT, 1, { status, code });
    const res = await refresh({ urls: ['https://cdn.example.com/a'] });

    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error_code: code, error_msg: expect.stringMatching(/\S/) });
    expect((res.json as { error_msg: string }).error_msg).not.toMatch(/^Simulated/);
  });

  it('when scripts are given one after another, then they answer in order, with Retry-After when asked', async () => {
    sim.script(PROJECT, 1, { status: 429, code: 'APIGW.0308', retryAfterSeconds: 7 });
    sim.script(PROJECT, 1, { status: 502, code: 'APIGW.0201' });

    const throttled = await refresh({ urls: ['https://cdn.example.com/a'] });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    const failed = await refresh({ urls: ['https://cdn.example.com/a'] });
    expect(failed.status).toBe(502);
    expect(failed.headers.get('retry-after')).toBeNull();
    expect((await refresh({ urls: ['https://cdn.example.com/a'] })).status).toBe(202);
  });

  it('when a call is scripted, then it answers before faults and before authentication (documented order)', async () => {
    sim.setFaults({ hangRate: 1 });
    sim.script(PROJECT, 1, { status: 403, code: 'VOD.10057' });
    const unsigned = await fetch(`${base}/v1/${PROJECT}/asset/refresh`, { method: 'POST', body: '{}' });

    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ error_code: 'VOD.10057' });
  });

  it('when a script comes over HTTP, then it acts like script(); a bad one is refused with 400', async () => {
    const ok = await post('/_sim/script', { projectId: PROJECT, count: 1, status: 403, code: 'VOD.10127', retryAfterSeconds: 2 });
    expect(ok.status).toBe(204);
    const res = await refresh({ urls: ['https://cdn.example.com/a'] });
    expect(res.status).toBe(403);
    expect(res.headers.get('retry-after')).toBe('2');

    expect((await post('/_sim/script', { projectId: PROJECT, count: 0, status: 403, code: 'X' })).status).toBe(400);
    expect((await post('/_sim/script', { projectId: PROJECT, count: 1, status: 403 })).status).toBe(400);
    expect((await post('/_sim/script', { projectId: PROJECT, count: 1, status: 403, code: 'X', extra: 1 })).status).toBe(400);
  });

  it('when one asset id of 10 is rejected, then every call naming it fails, and halves without it are accepted and counted', async () => {
    const ids = assets(10);
    const bad = ids[7]!;
    sim.rejectItems(PROJECT, [bad], { status: 400, code: 'VOD.10062', message: 'The media asset does not exist' });

    const whole = await refresh({ asset_id_list: ids });
    expect(whole.status).toBe(400);
    expect(whole.json).toEqual({ error_code: 'VOD.10062', error_msg: 'The media asset does not exist' });
    expect((await refresh({ asset_id_list: ids.slice(0, 5) })).status).toBe(202);
    expect((await refresh({ asset_id_list: ids.slice(5) })).status).toBe(400);
    expect((await refresh({ asset_id_list: [bad] })).status).toBe(400);
    expect((await refresh({ asset_id_list: ids.slice(5).filter((id) => id !== bad) })).status).toBe(202);

    expect(sim.calls().flatMap((c) => c.items).sort()).toEqual(ids.filter((id) => id !== bad).sort());
    expect(Object.values(sim.usage()[PROJECT] ?? {})).toEqual([9]);
  });

  it('when items are rejected, then the gateway still checks credentials first and other projects are untouched', async () => {
    sim.rejectItems(PROJECT, ['https://cdn.example.com/bad'], { status: 403, code: 'VOD.10060' });

    const wrongKey = await refresh({ urls: ['https://cdn.example.com/bad'] }, { credentials: { ...KEYS, secretKey: 'guess' } });
    expect(wrongKey.json).toMatchObject({ error_code: 'APIGW.0301' });
    const other = await refresh({ urls: ['https://cdn.example.com/bad'] }, { project: OTHER_PROJECT, credentials: OTHER_KEYS });
    expect(other.status).toBe(202);
  });

  it('when items are rejected over HTTP, then they act like rejectItems(); reset() forgets scripts and rejections', async () => {
    const ok = await post('/_sim/reject-items', { projectId: PROJECT, items: ['https://cdn.example.com/bad'], status: 400, code: 'VOD.10081' });
    expect(ok.status).toBe(204);
    sim.script(PROJECT, 5, { status: 502, code: 'APIGW.0201' });
    expect((await refresh({ urls: ['https://cdn.example.com/bad'] })).status).toBe(502);

    sim.reset();
    expect((await refresh({ urls: ['https://cdn.example.com/bad'] })).status).toBe(202);
    expect((await post('/_sim/reject-items', { projectId: PROJECT, items: [], status: 400, code: 'VOD.10081' })).status).toBe(400);
  });
});
