import net from 'node:net';
import { parseFileConfig, type AppConfig } from '@refresh/config';
import { createRedis, createTokenStore } from '@refresh/store';
import { createSimulator } from '@refresh/vod-simulator';
import { TenantCredentialsError, createTokenProvider, type TokenTenant } from '../src/upstream/iam-tokens';
import { isTokenTenant, vodCaller } from '../src/upstream/vod-clients';
import { PROJECT, REDIS_TARGET, REDIS_ENV, eventually, silent, testWorld, urls, type Simulator } from './harness';

/**
 * IAM token auth against the simulator's POST /v3/auth/tokens over HTTP and the real Redis:
 * one token per tenant shared by replicas, renewed an hour before it lapses.
 */
const REGION = 'cn-north-4';
const USER = { domain: 'acme', user: 'refresher', password: 'correct horse', project: REGION };
const MIN = 60_000;

describe('IAM tokens', () => {
  let sim: Simulator;
  let simUrl: string;
  let world: ReturnType<typeof testWorld>;
  /** shared by the simulator and the providers, so tokens lapse on the same clock */
  let offset: number;
  const clock = { now: () => Date.now() + offset, realMs: (ms: number) => ms };

  async function startSim(tokenTtlMs = 24 * 60 * MIN) {
    sim = createSimulator({ projects: [{ ...PROJECT, name: REGION }], iamUsers: [USER], tokenTtlMs, now: clock.now });
    simUrl = (await sim.start(0, '127.0.0.1')).url;
  }

  beforeEach(() => {
    offset = 0;
    world = testWorld('iam-tokens');
  });
  afterEach(async () => {
    await world.close();
    await sim.stop();
  });

  function config(auth: Partial<typeof USER & { iamEndpoint: string }> = {}): AppConfig {
    return parseFileConfig(
      {
        tenants: [{ id: 'tv', endpoint: simUrl, projectId: PROJECT.projectId, auth: { type: 'token', iamEndpoint: simUrl, ...USER, ...auth } }],
        batching: { lingerMs: 200 },
        upstream: { timeoutMs: 2000, connectTimeoutMs: 500, maxAttempts: 3, backoffBaseMs: 50, backoffMaxMs: 200 },
        worker: { concurrency: 8, stalledIntervalMs: 1000, lockDurationMs: 2000 },
      },
      { ...REDIS_ENV, KEY_PREFIX: world.prefix, LOG_LEVEL: 'silent' },
    );
  }

  function tokenTenant(cfg: AppConfig): TokenTenant {
    const t = cfg.tenants[0];
    if (!t || !isTokenTenant(t)) throw new Error('test config must hold a token tenant');
    return t;
  }

  /** A "replica": its own Redis connection and provider, on the test's prefix. */
  function replica() {
    const redis = createRedis(REDIS_TARGET, 'worker', () => undefined);
    world.onClose(() => redis.quit());
    return createTokenProvider({ store: createTokenStore(redis, world.prefix), clock, logger: silent, timeoutMs: 2000, connectTimeoutMs: 500 });
  }

  it('when a token tenant has items, then the worker sends them with an IAM token and VOD accepts them', async () => {
    await startSim();
    await world.worker(config());
    const id = await world.submit('tv', urls(3));

    const r = await eventually(async () => {
      const rec = await world.requests.get(id);
      return rec && rec.counts.submitted === 3 ? rec : undefined;
    }, 'items submitted');
    // the tenant has no AK/SK at all: the simulator accepted these calls on their X-Auth-Token
    expect(sim.calls().flatMap((c) => c.items).sort()).toEqual(urls(3).map((u) => u.slice(2)).sort());
    expect(sim.calls().every((c) => c.projectId === PROJECT.projectId)).toBe(true);
    expect(r.taskIds.sort()).toEqual(sim.calls().map((c) => c.taskId).sort());
    expect(sim.tokensIssued()).toBe(1);
    expect(await world.redis.exists(world.keys('tv').token)).toBe(1);
  });

  it('when VOD refuses the cached token as expired mid-flight, then the worker fetches a new one and the retry lands', async () => {
    await startSim();
    await world.worker(config());
    const sent = (id: string, n: number) => async () => {
      const rec = await world.requests.get(id);
      return rec && rec.counts.submitted + rec.counts.completed === n ? rec : undefined;
    };
    await eventually(sent(await world.submit('tv', urls(2)), 2), 'first request sent');
    // IAM invalidates every token early (a password change): the cached one now gets APIGW.0307
    sim.expireTokens();
    const second = await world.submit('tv', urls(3, 'http://cdn.example.com/after'));
    const r = await eventually(sent(second, 3), 'second request sent after one token refresh');
    expect(r.counts.failed).toBe(0);
    expect(sim.tokensIssued()).toBe(2);
    expect(sim.calls()).toHaveLength(2);
  });

  it('when IAM refuses the tenant password, then the worker pauses that tenant and keeps its items queued', async () => {
    await startSim();
    const w = await world.worker(config({ password: 'wrong' }));
    const id = await world.submit('tv', urls(4));
    const pause = await eventually(async () => (await w.gate.getPause('tv')) ?? undefined, 'tenant paused');
    expect(pause.reason).toBe('credentials');
    const r = await world.requests.get(id);
    expect(r!.counts.failed + r!.counts.submitted).toBe(0);
    expect(r!.counts.pending + r!.counts.in_flight).toBe(4);
    expect(sim.calls()).toHaveLength(0);
  });

  it('when two replicas need a token at once, then IAM issues one and both use it', async () => {
    await startSim();
    const tenant = tokenTenant(config());
    const [a, b] = [replica(), replica()];

    const tokens = await Promise.all([a.getToken(tenant), b.getToken(tenant), a.getToken(tenant), b.getToken(tenant)]);

    expect(new Set(tokens).size).toBe(1);
    expect(sim.tokensIssued()).toBe(1);
  });

  it('when the cached token has less than an hour left, then it is replaced, once for all replicas', async () => {
    await startSim(90 * MIN);
    const tenant = tokenTenant(config());
    const [a, b] = [replica(), replica()];
    const first = await a.getToken(tenant);
    expect(await b.getToken(tenant)).toBe(first);

    offset += 40 * MIN; // 50 min left
    // the replica that loses the lock keeps using the old token, still valid, meanwhile
    const during = await Promise.all([a.getToken(tenant), b.getToken(tenant)]);

    expect(sim.tokensIssued()).toBe(2);
    const renewed = await a.getToken(tenant);
    expect(renewed).not.toBe(first);
    expect(during.every((t) => t === first || t === renewed)).toBe(true);
    expect(await b.getToken(tenant)).toBe(renewed);
    expect(sim.tokensIssued()).toBe(2); // a fresh token is not fetched again
  });

  it('when IAM is unreachable, then a token with time left is kept, and without one a plain error is thrown', async () => {
    await startSim(90 * MIN);
    const a = replica();
    const first = await a.getToken(tokenTenant(config()));
    const closed = await closedPort();
    const unreachable = tokenTenant(config({ iamEndpoint: `http://127.0.0.1:${closed}` }));

    offset += 40 * MIN;
    expect(await a.getToken(unreachable)).toBe(first);

    offset += 60 * MIN; // lapsed; the lock the failed refresh kept is gone too by now
    await world.redis.del(world.keys('tv').tokenLock);
    const err = await a.getToken(unreachable).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TenantCredentialsError);
  });

  it('when the password is wrong, then getToken throws TenantCredentialsError with IAM code and message', async () => {
    await startSim();
    const tenant = tokenTenant(config({ password: 'guess' }));

    const err = await replica().getToken(tenant).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(TenantCredentialsError);
    expect(err).toMatchObject({ tenant: 'tv', code: 'HTTP.401', httpStatus: 401, message: 'The username or password is wrong.' });
    expect(await world.redis.exists(world.keys('tv').token, world.keys('tv').tokenLock)).toBe(0);
  });

  it('when VOD refuses the token as expired, then invalidating it makes the next call fetch a new one', async () => {
    await startSim();
    const cfg = config();
    const tenant = tokenTenant(cfg);
    const redis = createRedis(REDIS_TARGET, 'worker', () => undefined);
    world.onClose(() => redis.quit());
    const clients = vodCaller(cfg, clock, { redis, logger: silent });
    world.onClose(async () => clients.close());

    expect((await clients.call(tenant, 'url', ['http://cdn.example.com/1.mp4'])).answer.type).toBe('accepted');
    sim.expireTokens();
    expect((await clients.call(tenant, 'url', ['http://cdn.example.com/2.mp4'])).answer).toMatchObject({ type: 'rejected', code: 'APIGW.0307' });

    await clients.invalidateToken(tenant);

    expect((await clients.call(tenant, 'url', ['http://cdn.example.com/3.mp4'])).answer.type).toBe('accepted');
    expect(sim.tokensIssued()).toBe(2);
  });

  it('when a replica invalidates a token another already replaced, then the newer token stays', async () => {
    await startSim();
    const tenant = tokenTenant(config());
    const [a, b] = [replica(), replica()];
    const old = await a.getToken(tenant);
    sim.expireTokens();
    await a.invalidate('tv', old);
    const renewed = await a.getToken(tenant);

    await b.invalidate('tv', old); // b saw the old token refused too, a little later

    expect(renewed).not.toBe(old);
    expect(await b.getToken(tenant)).toBe(renewed);
    expect(sim.tokensIssued()).toBe(2);
  });
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
