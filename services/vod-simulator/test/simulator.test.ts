import { DateTime } from 'luxon';
import { createSimulator, type Simulator, type SimulatorOptions } from '../src';
import { signedCall, type Credentials } from './signed-call';

const PROJECT = '0123456789abcdef0123456789abcdef';
const OTHER_PROJECT = 'fedcba9876543210fedcba9876543210';
const KEYS: Credentials = { accessKey: 'SIMTESTACCESSKEY0001', secretKey: 'sim-test-secret' };
const OTHER_KEYS: Credentials = { accessKey: 'SIMTESTACCESSKEY0002', secretKey: 'other-secret' };

const urls = (n: number, prefix = 'u') => Array.from({ length: n }, (_, i) => `https://cdn.example.com/${prefix}/${i}.mp4`);

describe('vod simulator over HTTP', () => {
  let sim: Simulator;
  let base: string;
  let clock: number;

  async function start(opts: Partial<SimulatorOptions> = {}): Promise<void> {
    sim = createSimulator({
      projects: [
        { projectId: PROJECT, ...KEYS },
        { projectId: OTHER_PROJECT, ...OTHER_KEYS },
      ],
      now: () => clock,
      ...opts,
    });
    base = (await sim.start(0)).url;
  }

  const refreshUrl = (project = PROJECT) => `${base}/v1/${project}/asset/refresh`;
  const refresh = (body: unknown, extra: { credentials?: Credentials; date?: Date; project?: string; authorization?: string } = {}) =>
    signedCall({
      method: 'POST',
      url: refreshUrl(extra.project),
      body,
      credentials: extra.credentials ?? KEYS,
      date: extra.date ?? new Date(clock),
      ...(extra.authorization ? { authorization: extra.authorization } : {}),
    });
  const showResult = (taskId: string) =>
    signedCall({ method: 'GET', url: `${refreshUrl()}?task_id=${taskId}`, credentials: KEYS, date: new Date(clock) });

  beforeEach(() => {
    clock = Date.now();
  });

  afterEach(async () => {
    await sim.stop();
  });

  it('when a project refreshes 10 urls, then it gets a 32-hex task id and the call is recorded', async () => {
    await start();
    const res = await refresh({ urls: urls(10) });

    expect(res.status).toBe(202);
    const taskId = (res.json as { task_id: string }).task_id;
    expect(taskId).toMatch(/^[0-9a-f]{32}$/);
    const recorded = { taskId, projectId: PROJECT, kind: 'url', items: urls(10), acceptedAt: clock };
    expect(sim.calls()).toEqual([expect.objectContaining(recorded)]);
    const overHttp = await (await fetch(`${base}/_sim/calls`)).json();
    expect(overHttp).toEqual([expect.objectContaining(recorded)]);
  });

  it('when asset ids and urls come together, then the call is recorded as mixed', async () => {
    await start();
    const res = await refresh({ asset_id_list: ['f488337c31c8e4622f1590735b134c65'], urls: urls(1) });

    expect(res.status).toBe(202);
    expect(sim.calls()[0]).toMatchObject({ kind: 'mixed', items: ['f488337c31c8e4622f1590735b134c65', urls(1)[0]] });
  });

  it('when a call names 11 urls, then it is refused with VOD.10053 naming the field, and nothing counts', async () => {
    await start();
    const res = await refresh({ urls: urls(11) });

    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error_code: 'VOD.10053', error_msg: 'The request parameter is illegal, illegal field: urls.' });
    expect(sim.calls()).toEqual([]);
    expect(sim.usage()).toEqual({});
  });

  it('when a url is 10,241 characters, then it is refused; 10,240 is accepted', async () => {
    await start();
    const url = (length: number) => `https://cdn.example.com/${'a'.repeat(length - 24)}`;

    const tooLong = await refresh({ urls: [url(10_241)] });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json).toMatchObject({ error_code: 'VOD.10053' });
    expect((await refresh({ urls: [url(10_240)] })).status).toBe(202);
  });

  it('when the body names nothing or is not an object, then it is refused', async () => {
    await start();
    for (const body of [{}, { urls: [] }, [], 'null', { asset_id_list: [1] }]) {
      const res = await refresh(body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error_code: 'VOD.10053' });
    }
  });

  it('when the signature is forged or the secret is wrong, then the gateway answers 401 APIGW.0301', async () => {
    await start();
    const expected = { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: verify aksk signature fail' };

    const wrongSecret = await refresh({ urls: urls(1) }, { credentials: { ...KEYS, secretKey: 'guess' } });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.json).toEqual(expected);
    const forged = await refresh({ urls: urls(1) }, { authorization: `SDK-HMAC-SHA256 Access=${KEYS.accessKey}, SignedHeaders=host;x-sdk-date, Signature=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    const unsigned = await fetch(refreshUrl(), { method: 'POST', body: JSON.stringify({ urls: urls(1) }) });
    expect(unsigned.status).toBe(401);
    expect(sim.calls()).toEqual([]);
  });

  it('when X-Sdk-Date is 16 minutes off, then the gateway answers 401 APIGW.0305', async () => {
    await start();
    for (const offset of [-16, 16]) {
      const res = await refresh({ urls: urls(1) }, { date: new Date(clock + offset * 60_000) });
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ error_code: 'APIGW.0305' });
    }
    expect((await refresh({ urls: urls(1) }, { date: new Date(clock - 14 * 60_000) })).status).toBe(202);
  });

  it("when a key calls another project's path, then 403 APIGW.0306; an unknown project gives 403 APIGW.0310", async () => {
    await start();
    const foreign = await refresh({ urls: urls(1) }, { credentials: OTHER_KEYS });
    expect(foreign.status).toBe(403);
    expect(foreign.json).toMatchObject({ error_code: 'APIGW.0306' });
    const unknown = await refresh({ urls: urls(1) }, { project: 'ffffffffffffffffffffffffffffffff' });
    expect(unknown.status).toBe(403);
    expect(unknown.json).toMatchObject({ error_code: 'APIGW.0310' });
  });

  it('when the daily limit would be passed, then the call gets quotaError and counts nothing, until Shanghai midnight', async () => {
    clock = DateTime.fromISO('2025-03-01T23:50:00', { zone: 'Asia/Shanghai' }).toMillis();
    await start({ dailyLimit: 15 });

    expect((await refresh({ urls: urls(10, 'a') })).status).toBe(202);
    const over = await refresh({ urls: urls(10, 'b') });
    expect(over.status).toBe(400);
    expect(over.json).toEqual({
      error_code: 'VOD.10053',
      error_msg: 'The request parameter is illegal, illegal field: daily refresh quota exceeded.',
    });
    expect(sim.usage()).toEqual({ [PROJECT]: { '2025-03-01': 10 } });
    expect(await (await fetch(`${base}/_sim/usage`)).json()).toEqual({ [PROJECT]: { '2025-03-01': 10 } });

    clock += 10 * 60_000 + 1; // 00:00:00.001 on 2 March in Shanghai, still 1 March in UTC
    expect((await refresh({ urls: urls(10, 'b') })).status).toBe(202);
    expect(sim.usage()).toEqual({ [PROJECT]: { '2025-03-01': 10, '2025-03-02': 10 } });
    expect(sim.calls().map((c) => c.day)).toEqual(['2025-03-01', '2025-03-02']);
  });

  it('when quotaError is configured, then an exhausted quota is answered with it', async () => {
    await start({ dailyLimit: 0, quotaError: { status: 403, code: 'VOD.10127', message: 'quota' } });
    const res = await refresh({ urls: urls(1) });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error_code: 'VOD.10127', error_msg: 'quota' });
  });

  it('when faults are set to rate 1, then calls get 429 with Retry-After, or 502, and nothing is recorded', async () => {
    await start();
    sim.setFaults({ rate429: 1 });
    const throttled = await refresh({ urls: urls(1) });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.json).toMatchObject({ error_code: 'APIGW.0308' });

    const put = await fetch(`${base}/_sim/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rate429: 0, errorRate5xx: 1 }) });
    expect(put.status).toBe(200);
    const failed = await refresh({ urls: urls(1) });
    expect(failed.status).toBe(502);
    expect(failed.json).toMatchObject({ error_code: 'APIGW.0201' });

    expect(sim.calls()).toEqual([]);
    expect(sim.usage()).toEqual({});
  });

  it('when a call hangs, then it is never answered until stop()', async () => {
    await start({ faults: { hangRate: 1 } });
    const pending = refresh({ urls: urls(1) });
    const outcome = await Promise.race([pending.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
    expect(outcome).toBe('waiting');

    await sim.stop();
    await expect(pending).rejects.toThrow();
    expect(sim.calls()).toEqual([]);
  });

  it('when faults are seeded, then the same calls draw the same faults after reset', async () => {
    await start({ faults: { rate429: 0.5, seed: 42 } });
    const run = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await refresh({ urls: [`https://cdn.example.com/${i}`] })).status);
      return statuses;
    };
    const first = await run();
    expect(new Set(first)).toEqual(new Set([202, 429]));
    const deleted = await fetch(`${base}/_sim/calls`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(sim.calls()).toEqual([]);
    expect(await run()).toEqual(first);
  });

  it('when an accepted call loses its answer, then the call is recorded as accepted but undelivered, and polls are counted', async () => {
    await start({ faults: { lostAnswerRate: 1 } });
    const lost = refresh({ urls: urls(3) });
    // waits for the call to be recorded (its answer never comes); the deadline only bounds a hang
    for (const deadline = Date.now() + 20_000; sim.calls().length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    expect(sim.calls()).toEqual([expect.objectContaining({ items: urls(3), answerDelivered: false, polls: 0 })]);
    expect(sim.usage()[PROJECT]).toBeDefined();

    sim.setFaults({ lostAnswerRate: 0 });
    const taskId = ((await refresh({ urls: urls(1, 'ok') })).json as { task_id: string }).task_id;
    await showResult(taskId);
    await showResult(taskId);
    expect(sim.calls()[1]).toMatchObject({ taskId, answerDelivered: true, polls: 2 });

    await sim.stop();
    await expect(lost).rejects.toThrow();
  });

  it('when a task is younger than taskDurationMs, then ShowRefreshResult says PROCESSING, then SUCCEED', async () => {
    await start({ taskDurationMs: 2000 });
    const taskId = ((await refresh({ urls: urls(2) })).json as { task_id: string }).task_id;

    const early = await showResult(taskId);
    expect(early.status).toBe(200);
    expect(early.json).toEqual({ refresh_results: urls(2).map((url) => ({ url, status: 'PROCESSING' })) });

    clock += 2000;
    expect((await showResult(taskId)).json).toEqual({ refresh_results: urls(2).map((url) => ({ url, status: 'SUCCEED' })) });
    expect((await showResult('0'.repeat(32))).json).toMatchObject({ error_code: 'VOD.10053' });
  });
});
