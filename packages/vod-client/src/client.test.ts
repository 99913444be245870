/**
 * The client against the real simulator over HTTP. The simulator comes from its built package
 * (`npx turbo run build --filter=@refresh/vod-simulator...` first); it is not a declared
 * dependency because it depends on this package.
 */
import net from 'node:net';
import { createSimulator, type Simulator } from '@refresh/vod-simulator';
import { createVodClient, type VodClient, type VodClientOptions } from './client';

const PROJECT = '0123456789abcdef0123456789abcdef';
const KEYS = { accessKey: 'CLIENTTESTACCESSKEY1', secretKey: 'client-test-secret' };
const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://cdn.example.com/v/${i}.mp4`);

describe('vod client against the simulator', () => {
  let sim: Simulator;
  let endpoint: string;
  const clients: VodClient[] = [];
  const servers: net.Server[] = [];

  function client(overrides: Partial<VodClientOptions> = {}): VodClient {
    const c = createVodClient({ endpoint, projectId: PROJECT, ...KEYS, timeoutMs: 2000, connectTimeoutMs: 1000, ...overrides });
    clients.push(c);
    return c;
  }

  /** A TCP server that accepts and then says nothing: TLS to it never completes its handshake. */
  async function silentServer(): Promise<number> {
    const server = net.createServer(() => undefined);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as net.AddressInfo).port;
  }

  beforeEach(async () => {
    sim = createSimulator({ projects: [{ projectId: PROJECT, ...KEYS }] });
    endpoint = (await sim.start(0)).url;
  });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    for (const server of servers.splice(0)) {
      server.close();
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }
    await sim.stop();
  });

  it('when the simulator accepts urls, then the outcome is accepted with its 32-hex task id', async () => {
    const { answer: outcome } = await client().refresh({ kind: 'url', items: urls(10) });

    expect(outcome).toEqual({ type: 'accepted', taskId: expect.stringMatching(/^[0-9a-f]{32}$/), httpStatus: 202 });
    expect(sim.calls()).toEqual([expect.objectContaining({ kind: 'url', items: urls(10) })]);
  });

  it('when asset ids are refreshed, then only asset_id_list is sent', async () => {
    const { answer: outcome } = await client().refresh({ kind: 'asset_id', items: ['f488337c31c8e4622f1590735b134c65'] });

    expect(outcome.type).toBe('accepted');
    expect(sim.calls()[0]).toMatchObject({ kind: 'asset_id', items: ['f488337c31c8e4622f1590735b134c65'] });
  });

  it('when 11 items are sent, then the 400 VOD.10053 is rejected with that code', async () => {
    const { answer: outcome } = await client().refresh({ kind: 'url', items: urls(11) });

    expect(outcome).toEqual({
      type: 'rejected',
      httpStatus: 400,
      code: 'VOD.10053',
      message: 'The request parameter is illegal, illegal field: urls.',
    });
  });

  it('when the secret key is wrong, then the 401 APIGW.0301 is rejected', async () => {
    const { answer: outcome } = await client({ secretKey: 'not-the-secret' }).refresh({ kind: 'url', items: urls(1) });

    expect(outcome).toMatchObject({ type: 'rejected', httpStatus: 401, code: 'APIGW.0301' });
  });

  it('when the gateway answers 502 backend unavailable, then it is a retry that never reached VOD', async () => {
    sim.setFaults({ errorRate5xx: 1 });
    const { answer: outcome } = await client().refresh({ kind: 'url', items: urls(1) });

    expect(outcome).toMatchObject({ type: 'retry', httpStatus: 502, code: 'APIGW.0201', reachedUpstream: false });
  });

  it('when upstream throttles with 429, then it is a retry with Retry-After in ms', async () => {
    sim.setFaults({ rate429: 1 });
    const { answer: outcome } = await client().refresh({ kind: 'url', items: urls(1) });

    expect(outcome).toMatchObject({ type: 'retry', httpStatus: 429, code: 'APIGW.0308', reachedUpstream: false, retryAfterMs: 1000 });
  });

  it('when the port is closed, then it is a retry that provably never reached upstream', async () => {
    const port = await silentServer();
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const { answer: outcome } = await client({ endpoint: `http://127.0.0.1:${port}` }).refresh({ kind: 'url', items: urls(1) });

    expect(outcome).toMatchObject({ type: 'retry', code: 'ECONNREFUSED', reachedUpstream: false });
  });

  it('when the simulator hangs past the timeout, then it is a retry that reached upstream', async () => {
    sim.setFaults({ hangRate: 1 });
    // the same hanging call from a client that waits a minute: timeoutMs, not some other limit,
    // must be what ends ours (an order of events, not a speed claim)
    let patientSettled = false;
    const patient = client({ timeoutMs: 60_000 }).refresh({ kind: 'url', items: urls(1) }).finally(() => (patientSettled = true));
    const { answer: outcome } = await client({ timeoutMs: 200 }).refresh({ kind: 'url', items: urls(1) });

    expect(outcome).toMatchObject({ type: 'retry', code: 'TIMEOUT', reachedUpstream: true });
    expect(patientSettled).toBe(false);
    await sim.stop(); // ends the held call
    await patient.catch(() => undefined);
  });

  it('when a TLS handshake does not finish within the connect timeout, then it never reached upstream', async () => {
    const port = await silentServer();
    const { answer: outcome } = await client({ endpoint: `https://127.0.0.1:${port}`, connectTimeoutMs: 150 }).refresh({ kind: 'url', items: urls(1) });

    expect(outcome).toMatchObject({ type: 'retry', code: 'VOD_CONNECT_TIMEOUT', reachedUpstream: false });
  });

  it('when the total timeout ends the call before the socket connected, then it never reached upstream', async () => {
    const port = await silentServer();
    const { answer: outcome } = await client({ endpoint: `https://127.0.0.1:${port}`, timeoutMs: 150, connectTimeoutMs: 5000 }).refresh({ kind: 'url', items: urls(1) });

    expect(outcome).toMatchObject({ type: 'retry', code: 'TIMEOUT', reachedUpstream: false });
  });

  it('when a task is shown, then its urls come back with their status', async () => {
    const c = client();
    const { answer: accepted } = await c.refresh({ kind: 'url', items: urls(2) });
    if (accepted.type !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(accepted)}`);

    expect((await c.showRefreshResult(accepted.taskId)).answer).toEqual({
      type: 'ok',
      results: urls(2).map((url) => ({ url, status: 'PROCESSING' })),
    });
    expect((await c.showRefreshResult('0'.repeat(32))).answer).toMatchObject({ type: 'rejected', httpStatus: 400, code: 'VOD.10053' });
  });

  it('when calls run concurrently and then in sequence on pooled sockets, then each is signed afresh and accepted', async () => {
    const c = client();
    const outcomes = (await Promise.all([1, 2, 3].map(() => c.refresh({ kind: 'url', items: urls(1) })))).map((v) => v.answer);
    outcomes.push((await c.refresh({ kind: 'url', items: urls(1) })).answer);

    expect(outcomes.map((o) => o.type)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
  });
});
