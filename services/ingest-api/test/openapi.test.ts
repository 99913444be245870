import { openApiDocument } from '@refresh/contract';
import { createTenantGate } from '@refresh/store';
import { ContractChecker, type OperationKey } from './contract';
import { EXERCISES, type ExerciseContext } from './openapi-exercises';
import { validateOpenApi } from './openapi-validity';
import { KEYS, bearer, postJson, startTestApi } from './helpers';
import { ADMIN_KEY_SHA256 } from './openapi-exercises';
import { startApiWithoutRedis, type ApiWithoutRedis } from './unreachable-redis';

// a fixed clock: 2030-03-10 12:00 in Shanghai
const NOW = Date.parse('2030-03-10T04:00:00Z');

/**
 * The OpenAPI document is the contract callers code against: it must be a valid OpenAPI 3.1
 * document, and every answer the API really gives must be one it describes.
 */
describe('the OpenAPI contract', () => {
  const document = openApiDocument();
  const contract = new ContractChecker(document);
  let c: ExerciseContext;
  let down: ApiWithoutRedis;

  beforeAll(async () => {
    // a small JSON cap, so the 413 exercise needs only a small body
    const t = await startTestApi({ ingest: { jsonBodyBytes: 2048 }, admin: { apiKeySha256: ADMIN_KEY_SHA256 } }, () => NOW);
    down = await startApiWithoutRedis(t.config);
    const res = await postJson(t, 'news', { asset_ids: ['seed-1', 'seed-2'] });
    const { request_id: requestId } = (await res.json()) as { request_id: string };
    c = {
      t,
      down,
      gate: createTenantGate(t.redis, t.prefix),
      now: NOW,
      requestId,
      get: (base, path, key = KEYS.cms) => fetch(`${base}${path}`, { headers: key === null ? {} : bearer(key) }),
    };
  });
  afterAll(async () => {
    await down?.close();
    await c?.t.close();
  });

  it('when the document is checked against the OpenAPI 3.1 schema, then it is valid', async () => {
    expect(document.openapi).toBe('3.1.0');
    expect(await validateOpenApi(document)).toEqual({ valid: true });
  });

  it.each(EXERCISES.map((e) => [`${e.operation} ${e.status}: ${e.when}`, e] as const))(
    'when %s, then the real answer matches the document',
    async (_name, exercise) => {
      const method = exercise.operation.split(' ')[0] ?? '';
      const res = await exercise.send(c);
      const checked = await contract.check(method, res);
      expect({ operation: checked.operation, status: checked.status }).toEqual({ operation: exercise.operation, status: exercise.status });
    },
  );

  it('when the exercises are listed, then every operation of the document has at least one', () => {
    const exercised = new Set<OperationKey>(EXERCISES.map((e) => e.operation));
    const missing = contract.operations().filter((op) => !exercised.has(op));
    expect(missing).toEqual([]);
  });

  it('when a request body fails the zod schema, then the 400 is an ErrorBody naming each offending field, and nothing is queued', async () => {
    const before = await c.t.jobCount();
    const res = await postJson(c.t, 'news', { asset_ids: [1], urls: 'x', priority: 'urgent', colour: 'red' });
    const { body } = await contract.check('POST', res);
    expect(body).toEqual({
      error_code: 'RFS.0001',
      error_msg: 'body does not match the request schema',
      details: expect.arrayContaining([
        { field: 'asset_ids.0', reason: expect.any(String) },
        { field: 'urls', reason: expect.any(String) },
        { field: 'priority', reason: expect.any(String) },
        { field: '(root)', reason: expect.stringContaining('colour') },
      ]),
    });
    expect(await c.t.jobCount()).toBe(before);
  });

  it('when /docs is opened, then it is an HTML page of local assets pointing at /openapi.json', async () => {
    const page = await fetch(`${c.t.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      // no CDN: every asset is served by the API itself
      expect(asset.startsWith('/docs/')).toBe(true);
      expect((await fetch(`${c.t.url}${asset}`)).status).toBe(200);
    }
    const init = await (await fetch(`${c.t.url}/docs/swagger-initializer.js`)).text();
    expect(init).toContain("'/openapi.json'");
  });

  it('when an answer has a status the document does not list, then the checker says so', async () => {
    const res = new Response(JSON.stringify({ error_code: 'RFS.0010', error_msg: 'x' }), {
      status: 500,
      headers: { 'content-type': 'application/json' },
    });
    Object.defineProperty(res, 'url', { value: `${c.t.url}/v1/tenants/news/budget` });
    await expect(contract.check('GET', res)).rejects.toThrow(/GET \/v1\/tenants\/\{tenant\}\/budget → 500: status 500 is not documented/);
  });

  it('when a body has a field the schema does not, then the checker says where', async () => {
    const res = new Response(JSON.stringify({ status: 'ok', extra: 1 }), { status: 200, headers: { 'content-type': 'application/json' } });
    Object.defineProperty(res, 'url', { value: `${c.t.url}/healthz` });
    await expect(contract.check('GET', res)).rejects.toThrow(/GET \/healthz → 200: the body does not match[\s\S]*additionalProperty[\s\S]*extra/);
  });
});
