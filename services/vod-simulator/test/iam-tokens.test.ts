import { createSimulator, type IamUser, type Simulator } from '../src';
import { requestToken, signedCall, tokenCall, type Credentials } from './signed-call';

const PROJECT = '0123456789abcdef0123456789abcdef';
const OTHER_PROJECT = 'fedcba9876543210fedcba9876543210';
const KEYS: Credentials = { accessKey: 'SIMTESTACCESSKEY0001', secretKey: 'sim-test-secret' };
const USER: IamUser = { domain: 'acme', user: 'refresher', password: 'correct horse', project: 'cn-north-4' };
const TTL_MS = 60_000;

describe('simulated IAM tokens', () => {
  let sim: Simulator;
  let base: string;
  let clock: number;

  beforeEach(async () => {
    clock = Date.UTC(2025, 2, 1, 8, 0, 0);
    sim = createSimulator({
      projects: [
        { projectId: PROJECT, ...KEYS, name: 'cn-north-4' },
        { projectId: OTHER_PROJECT, accessKey: 'SIMTESTACCESSKEY0002', secretKey: 'other', name: 'ap-southeast-1' },
      ],
      iamUsers: [USER],
      tokenTtlMs: TTL_MS,
      now: () => clock,
    });
    base = (await sim.start(0)).url;
  });

  afterEach(async () => {
    await sim.stop();
  });

  const refreshUrl = (project = PROJECT) => `${base}/v1/${project}/asset/refresh`;
  const refreshWith = (token: string, project = PROJECT) =>
    tokenCall({ method: 'POST', url: refreshUrl(project), body: { urls: ['https://cdn.example.com/a.mp4'] }, token });
  async function token(): Promise<string> {
    const res = await requestToken(base, USER);
    const value = res.headers.get('x-subject-token');
    if (res.status !== 201 || !value) throw new Error(`no token: ${res.status}`);
    return value;
  }

  it('when an IAM user asks for a token, then 201 carries it in X-Subject-Token and expires_at is tokenTtlMs ahead', async () => {
    const res = await requestToken(base, USER);

    expect(res.status).toBe(201);
    expect(res.headers.get('x-subject-token')).toMatch(/^MII[A-Za-z0-9_-]{100,}$/);
    expect(res.json).toMatchObject({
      token: { expires_at: '2025-03-01T08:01:00.000000Z', issued_at: '2025-03-01T08:00:00.000000Z', methods: ['password'], project: { name: 'cn-north-4' } },
    });
    expect(JSON.stringify(res.json)).not.toContain(USER.password);
  });

  it('when the password, user, domain or project is wrong, then IAM answers 401 in its own error shape and issues nothing', async () => {
    for (const wrong of [{ password: 'guess' }, { user: 'nobody' }, { domain: 'other' }, { project: 'cn-east-2' }]) {
      const res = await requestToken(base, { ...USER, ...wrong });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' } });
      expect(res.headers.get('x-subject-token')).toBeNull();
    }
  });

  it('when the body is not a password request, then IAM answers 400', async () => {
    const res = await fetch(`${base}/v3/auth/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"auth":{}}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 400 } });
  });

  it('when a refresh and a show carry a valid token instead of a signature, then both are answered', async () => {
    const t = await token();
    const accepted = await refreshWith(t);
    expect(accepted.status).toBe(202);
    const taskId = (accepted.json as { task_id: string }).task_id;

    const shown = await tokenCall({ method: 'GET', url: `${refreshUrl()}?task_id=${taskId}`, token: t });
    expect(shown.status).toBe(200);
    expect(sim.usage()).toEqual({ [PROJECT]: { '2025-03-01': 1 } });
  });

  it('when a token is past its lifetime, then the gateway answers 401 APIGW.0307 and a fresh token works', async () => {
    const old = await token();
    clock += TTL_MS;

    const expired = await refreshWith(old);
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ error_code: 'APIGW.0307', error_msg: 'The token must be updated' });
    expect((await refreshWith(await token())).status).toBe(202);
  });

  it('when tokens are expired early (method or HTTP), then every token issued before answers APIGW.0307, later ones work', async () => {
    const first = await token();
    sim.expireTokens();
    expect((await refreshWith(first)).json).toMatchObject({ error_code: 'APIGW.0307' });

    const second = await token();
    expect((await refreshWith(second)).status).toBe(202);
    expect((await fetch(`${base}/_sim/expire-tokens`, { method: 'POST' })).status).toBe(204);
    expect((await refreshWith(second)).status).toBe(401);
    expect(sim.calls()).toHaveLength(1);
  });

  it('when a token IAM never issued is sent, then the gateway answers 401 APIGW.0301', async () => {
    const res = await refreshWith('MIIforged');
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information: decrypt token fail' });
  });

  it('when a token scoped to one project calls another, then 401 APIGW.0307 (wrong region); an unknown project is 403 APIGW.0310', async () => {
    const t = await token();
    expect((await refreshWith(t, OTHER_PROJECT)).json).toMatchObject({ error_code: 'APIGW.0307' });
    expect((await refreshWith(t, 'ffffffffffffffffffffffffffffffff')).json).toMatchObject({ error_code: 'APIGW.0310' });
  });

  it("when a user's password is changed, then the old password is refused, its tokens answer APIGW.0307, and every login attempt is logged", async () => {
    const before = await token();
    sim.setIamPassword(USER.domain, USER.user, 'battery staple');

    expect((await requestToken(base, USER)).status).toBe(401);
    expect((await refreshWith(before)).json).toMatchObject({ error_code: 'APIGW.0307' });
    const after = await requestToken(base, { ...USER, password: 'battery staple' });
    expect(after.status).toBe(201);
    expect(sim.iamLogins()).toEqual([
      { at: clock, domain: USER.domain, user: USER.user, accepted: true },
      { at: clock, domain: USER.domain, user: USER.user, accepted: false },
      { at: clock, domain: USER.domain, user: USER.user, accepted: true },
    ]);
    // the log holds attempts, never the passwords tried
    expect(JSON.stringify(sim.iamLogins())).not.toContain('battery');
  });

  it('when ShowRefreshResult and RefreshAsset are called, then both are logged as arrivals, named by API', async () => {
    const t = await token();
    const taskId = ((await refreshWith(t)).json as { task_id: string }).task_id;
    await tokenCall({ method: 'GET', url: `${refreshUrl()}?task_id=${taskId}`, token: t });
    expect(sim.arrivals()).toEqual([
      { projectId: PROJECT, at: clock, api: 'refresh' },
      { projectId: PROJECT, at: clock, api: 'show_result' },
    ]);
  });

  it('when reset() runs, then issued tokens keep working and AK/SK signing still works beside them', async () => {
    const t = await token();
    sim.reset();
    expect((await refreshWith(t)).status).toBe(202);
    const signed = await signedCall({ method: 'POST', url: refreshUrl(), body: { urls: ['https://cdn.example.com/b.mp4'] }, credentials: KEYS, date: new Date(clock) });
    expect(signed.status).toBe(202);
  });
});
