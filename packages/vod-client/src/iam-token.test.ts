/**
 * IAM tokens and token-authenticated calls against the real simulator over HTTP (built package:
 * `npx turbo run build --filter=@refresh/vod-simulator...` first, as for client.test.ts).
 */
import net from 'node:net';
import { createSimulator, type Simulator } from '@refresh/vod-simulator';
import { classify } from './classification';
import { createVodClient, type VodClient } from './client';
import { fetchIamToken } from './iam-token';

const PROJECT = '0123456789abcdef0123456789abcdef';
const USER = { domain: 'acme', user: 'refresher', password: 'correct horse', project: 'cn-north-4' };
const NOW = Date.UTC(2025, 2, 1, 8, 0, 0);

describe('IAM token against the simulator', () => {
  let sim: Simulator;
  let endpoint: string;
  const clients: VodClient[] = [];

  beforeEach(async () => {
    sim = createSimulator({
      projects: [{ projectId: PROJECT, accessKey: 'IAMTESTACCESSKEY0001', secretKey: 'unused', name: 'cn-north-4' }],
      iamUsers: [USER],
      tokenTtlMs: 24 * 3600_000,
      now: () => NOW,
    });
    endpoint = (await sim.start(0)).url;
  });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await sim.stop();
  });

  function tokenClient(getToken: () => Promise<string>): VodClient {
    const c = createVodClient({ endpoint, projectId: PROJECT, auth: { type: 'token', getToken }, timeoutMs: 2000, connectTimeoutMs: 1000 });
    clients.push(c);
    return c;
  }

  async function token(): Promise<string> {
    const outcome = await fetchIamToken({ iamEndpoint: endpoint, ...USER, timeoutMs: 2000 });
    if (outcome.type !== 'ok') throw new Error(`expected a token, got ${JSON.stringify(outcome)}`);
    return outcome.token;
  }

  it('when IAM knows the user, then the token comes from X-Subject-Token and expiresAt from token.expires_at', async () => {
    const outcome = await fetchIamToken({ iamEndpoint: `${endpoint}/`, ...USER, timeoutMs: 2000 });

    expect(outcome).toEqual({ type: 'ok', token: expect.stringMatching(/^MII/), expiresAt: NOW + 24 * 3600_000 });
  });

  it("when the password is wrong, then it is rejected with IAM's message", async () => {
    const outcome = await fetchIamToken({ iamEndpoint: endpoint, ...USER, password: 'guess', timeoutMs: 2000 });

    expect(outcome).toEqual({ type: 'rejected', httpStatus: 401, code: 'HTTP.401', message: 'The username or password is wrong.' });
  });

  it('when IAM is unreachable, then it is a retry that never reached it', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const outcome = await fetchIamToken({ iamEndpoint: `http://127.0.0.1:${port}`, ...USER, timeoutMs: 2000 });
    expect(outcome).toMatchObject({ type: 'retry', code: 'ECONNREFUSED', reachedUpstream: false });
  });

  it('when the client uses token auth, then refresh and show are accepted with X-Auth-Token', async () => {
    const c = tokenClient(token);
    const { answer: accepted } = await c.refresh({ kind: 'url', items: ['https://cdn.example.com/t.mp4'] });
    if (accepted.type !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(accepted)}`);

    expect((await c.showRefreshResult(accepted.taskId)).answer).toEqual({ type: 'ok', results: [{ url: 'https://cdn.example.com/t.mp4', status: 'PROCESSING' }] });
  });

  it('when the token was invalidated early, then the call is rejected APIGW.0307 and classified token_expired', async () => {
    const t = await token();
    sim.expireTokens();
    const verdict = await tokenClient(async () => t).refresh({ kind: 'url', items: ['https://cdn.example.com/t.mp4'] });
    const outcome = verdict.answer;

    expect(outcome).toMatchObject({ type: 'rejected', httpStatus: 401, code: 'APIGW.0307' });
    expect(classify(outcome, { quotaErrorCodes: [] })).toEqual({ class: 'token_expired' });
    expect(verdict.class).toBe('token_expired');
  });

  it('when getToken fails, then its error reaches the caller unchanged and nothing is sent', async () => {
    const failure = new Error('tenant credentials broken');
    await expect(tokenClient(() => Promise.reject(failure)).refresh({ kind: 'url', items: ['https://cdn.example.com/t.mp4'] })).rejects.toBe(failure);
    expect(sim.calls()).toEqual([]);
  });

  it('when neither auth nor both keys are given, then creation fails', () => {
    expect(() => createVodClient({ endpoint, projectId: PROJECT, accessKey: 'only-half', timeoutMs: 1000, connectTimeoutMs: 1000 })).toThrow(/auth/);
  });
});
