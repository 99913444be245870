import { createHash } from 'node:crypto';
import { cancelResult, requeueResult } from '@refresh/contract';
import { QUEUE_NAMES, queuePrefix } from '@refresh/store';
import { Queue } from 'bullmq';
import { KEYS, capturedLogger, expectError, postJson, startTestApi, type TestApi } from './helpers';

/**
 * The admin actions through HTTP, without a worker: requests posted here are never coalesced, so
 * they stay "still being ingested". Pending, shared and failed items are covered with the worker
 * (tests/system/admin-actions.test.ts) and in the store's tests.
 */
const ADMIN_KEY = 'admin-key-for-tests';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('admin actions on a request', () => {
  let t: TestApi;
  let log: ReturnType<typeof capturedLogger>;
  let dispatch: Queue;
  beforeAll(async () => {
    log = capturedLogger('info');
    t = await startTestApi({ admin: { apiKeySha256: sha(ADMIN_KEY) } }, undefined, log.logger);
    dispatch = new Queue(QUEUE_NAMES.dispatch, { connection: t.redis, prefix: queuePrefix(t.prefix) });
  });
  afterAll(async () => {
    await dispatch.close();
    await t.close();
  });

  const act = (id: string, action: 'cancel' | 'requeue-failed', headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}` }) =>
    fetch(`${t.url}/v1/admin/refresh-requests/${id}/${action}`, { method: 'POST', headers });
  const posted = async (body: unknown) => ((await (await postJson(t, 'news', body)).json()) as { request_id: string }).request_id;

  it('when the admin key is missing, wrong, a caller key or sent as Basic, then 401 with a Bearer challenge and nothing changes', async () => {
    const id = await posted({ asset_ids: ['auth1'] });
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer not-the-admin-key' },
      { authorization: `Bearer ${KEYS.cms}` },
      { authorization: `Basic ${Buffer.from(`ops:${ADMIN_KEY}`).toString('base64')}` },
    ];
    for (const headers of attempts) {
      for (const action of ['cancel', 'requeue-failed'] as const) {
        const res = await act(id, action, headers);
        await expectError(res, 401, 'RFS.0004');
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
    expect(await t.redis.hget(t.keys('news').request(id), 'cx')).toBeNull();
  });

  it('when the request is unknown or its id malformed, then 404', async () => {
    await expectError(await act('news.0000000000000000', 'cancel'), 404, 'RFS.0006');
    await expectError(await act('news.0000000000000000', 'requeue-failed'), 404, 'RFS.0006');
    await expectError(await act('not-a-request-id', 'cancel'), 404, 'RFS.0006');
    await expectError(await act('nosuchtenant.0000000000000000', 'requeue-failed'), 404, 'RFS.0006');
  });

  it('when a request still being ingested is canceled, then its lines are dropped, the answer says so, and a second cancel changes nothing', async () => {
    const id = await posted({ asset_ids: ['c1', 'c2'], urls: ['https://cdn.example.com/c3'] });
    const res = await act(id, 'cancel', { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'ops-cancel-1' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      request_id: id, tenant: 'news', canceled: 0, kept_shared: 0, not_ingested: 3, status: 'in_progress',
      counts: { pending: 0, deferred: 0, in_flight: 0, submitted: 0, completed: 0, failed: 0, unknown: 0, canceled: 0 },
    });
    // the contract renders answers with additionalProperties: false
    expect(cancelResult.strict().safeParse(body).success).toBe(true);
    const again = await act(id, 'cancel');
    expect(await again.json()).toEqual(body);
    const view = (await (await fetch(`${t.url}/v1/refresh-requests/${id}`, { headers: { authorization: `Bearer ${KEYS.cms}` } })).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ status: 'in_progress', canceled_at: expect.any(String) });
  });

  it('when a canceled request is requeued, then 409 and nothing is queued', async () => {
    const id = await posted({ asset_ids: ['r1'] });
    await act(id, 'cancel');
    await expectError(await act(id, 'requeue-failed'), 409, 'RFS.0007');
    expect(await dispatch.count()).toBe(0);
  });

  it('when a request has nothing failed, then requeue answers 0 and wakes nothing', async () => {
    const id = await posted({ asset_ids: ['n1'] });
    const res = await act(id, 'requeue-failed');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ request_id: id, tenant: 'news', requeued: 0, status: 'accepted' });
    expect(requeueResult.strict().safeParse(body).success).toBe(true);
    expect(await dispatch.count()).toBe(0);
  });

  it('when an admin acts, then one audit line names the action, request, tenant, outcome, client and request id, never the key', async () => {
    const id = await posted({ asset_ids: ['audit1'] });
    await act(id, 'cancel', { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'ops-audit-1' });
    await act('news.0000000000000000', 'requeue-failed', { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'ops-audit-2' });
    const audits = log.entries().filter((e) => e.audit === true && String(e.reqId).startsWith('ops-audit-'));
    expect(audits).toEqual([
      expect.objectContaining({
        level: 30, msg: 'admin action', reqId: 'ops-audit-1', action: 'cancel', requestId: id, tenant: 'news',
        outcome: { result: 'ok', canceled: 0, kept_shared: 0, not_ingested: 1, completed_requests: 0 },
        client: expect.stringMatching(/127\.0\.0\.1$/),
      }),
      expect.objectContaining({ reqId: 'ops-audit-2', action: 'requeue_failed', tenant: 'news', outcome: { result: 'missing' } }),
    ]);
    expect(log.text()).not.toContain(ADMIN_KEY);
  });
});

describe('admin actions without an admin key in the config', () => {
  it('when no admin key is configured, then the routes do not exist (404 like any unknown path)', async () => {
    const t = await startTestApi();
    try {
      const res = await fetch(`${t.url}/v1/admin/refresh-requests/news.0000000000000000/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      await expectError(res, 404, 'RFS.0006');
    } finally {
      await t.close();
    }
  });
});
