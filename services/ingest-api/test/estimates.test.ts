import { refreshAccepted, requestView } from '@refresh/contract';
import { createDispatchStore, createTenantGate } from '@refresh/store';
import { getJson, postJson, startTestApi, type TestApi } from './helpers';

// a fixed clock: 2030-03-10 12:00 in Shanghai; tenant news has 50 items a day
const NOW = Date.parse('2030-03-10T04:00:00Z');
const TOMORROW = '2030-03-11';

type Estimate = { estimated_completion_at: string | null; budget_days_needed: number | null };
const shanghaiDay = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);

/** What callers are told about when their items will be done, before any worker has touched them. */
describe('completion estimates', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startTestApi({}, () => NOW);
  });
  afterEach(async () => {
    await t.close();
  });

  async function post(body: unknown): Promise<{ request_id: string } & Estimate> {
    const res = await postJson(t, 'news', body);
    expect(res.status).toBe(202);
    return (await res.json()) as { request_id: string } & Estimate;
  }
  const assets = (n: number, base: string) => Array.from({ length: n }, (_, i) => `${base}${i}`);
  const status = async (id: string) => (await getJson(t, `/v1/refresh-requests/${id}`)).body as Estimate & { status: string };

  it('when a request fits in what is left today, then the POST answer and its status both say today', async () => {
    const accepted = await post({ asset_ids: assets(30, 'fits') });
    expect(accepted).toMatchObject({ budget_days_needed: 1, estimated_completion_at: expect.any(String) });
    expect(shanghaiDay(accepted.estimated_completion_at!)).toBe('2030-03-10');
    const view = await status(accepted.request_id);
    expect(view).toMatchObject({ budget_days_needed: 1, estimated_completion_at: accepted.estimated_completion_at });
    // both answers are what the published contract says, new fields included
    expect(refreshAccepted.strict().safeParse(accepted).success).toBe(true);
    expect(requestView.strict().safeParse(view).success).toBe(true);
  });

  /** What the worker's ingest job does with a request: its items join the tenant's queues. */
  async function coalesce(requestId: string, values: string[]) {
    const dispatch = createDispatchStore(t.redis, t.prefix);
    const items = values.map((v) => `a:${v}`);
    await dispatch.coalesce('news', requestId, 'normal', 0, items.length, items, NOW);
    await dispatch.finishIngest('news', requestId, 600);
  }

  it('when a request comes after others that use up today, then it needs the next budget day, and says so', async () => {
    const first = await post({ asset_ids: assets(40, 'first') });
    await coalesce(first.request_id, assets(40, 'first'));
    const second = await post({ asset_ids: assets(20, 'second') });
    // 40 + 20 > 50 left today: the last 10 go out after the local midnight
    expect(second.budget_days_needed).toBe(2);
    expect(shanghaiDay(second.estimated_completion_at!)).toBe(TOMORROW);
  });

  it('when a request is larger than several days of budget, then it says how many days it needs', async () => {
    const big = await post({ asset_ids: assets(120, 'big') });
    // 50 today, 50 tomorrow, 20 the day after
    expect(big.budget_days_needed).toBe(3);
    expect(shanghaiDay(big.estimated_completion_at!)).toBe('2030-03-12');
  });

  it('when a worker has coalesced the backlog, then the budget endpoint estimates when all of it will be done; with nothing pending it gives nulls', async () => {
    expect(await getJson(t, '/v1/tenants/news/budget')).toMatchObject({ body: { pending: 0, estimated_completion_at: null, budget_days_needed: null } });
    const r = await post({ asset_ids: assets(70, 'backlog') });
    await coalesce(r.request_id, assets(70, 'backlog'));
    const { body } = await getJson(t, '/v1/tenants/news/budget');
    expect(body).toMatchObject({ pending: 70, budget_days_needed: 2 });
    expect(shanghaiDay(body.estimated_completion_at as string)).toBe(TOMORROW);
    // the request itself is exactly that backlog
    expect(await status(r.request_id)).toMatchObject({ status: 'in_progress', budget_days_needed: 2, estimated_completion_at: body.estimated_completion_at });
  });

  it('when the tenant is paused, then no time is promised, but the budget days are still told', async () => {
    const r = await post({ asset_ids: assets(5, 'paused') });
    await createTenantGate(t.redis, t.prefix).pause('news', {
      reason: 'credentials', code: 'APIGW.0301', message: 'Incorrect IAM authentication information', since: NOW, probeAt: NOW + 900_000,
    });
    expect(await status(r.request_id)).toMatchObject({ estimated_completion_at: null, budget_days_needed: 1 });
  });
});
