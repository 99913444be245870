import { createHash } from 'node:crypto';
import { Agent } from 'node:http';
import fc from 'fast-check';
import { KEYS, eventually, startTestApi, type TestApi } from './helpers';
import { validJsonBody, validTextBody, type Endpoint } from './fuzz/bad-bodies';
import {
  FUZZ_CAPS, badAuthRequest, badGetRequest, badHeaderRequest, badJsonRequest, badTargetRequest, badTextHeaderRequest, badTextRequest,
  type FuzzRequest,
} from './fuzz/bad-requests';
import { writeJson } from './fuzz/json-text';
import { rawRequest, sendRaw } from './fuzz/raw-requests';
import { expectRefusal, send } from './fuzz/send';

/**
 * Throws generated bad requests at the running API (in-process, real Redis). Every one is bad by
 * construction, so every answer must be a 4xx with VOD's error body; afterwards the API still
 * answers, nothing was queued, no key is left and no prototype was polluted.
 *
 * Replay a run with the seed it prints: FUZZ_SEED=<seed> npx jest services/ingest-api/test/api-fuzz
 */
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
/** requests per property; together at least 10,000 */
const RUNS = { json: 3_400, headers: 1_500, text: 1_200, textHeaders: 400, auth: 1_000, target: 800, get: 1_000, raw: 700 };
const PROPERTY_TIMEOUT_MS = 240_000;

describe('fuzzing the API with bad requests', () => {
  let t: TestApi;
  let base: URL;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype);
  let sent = 0;
  const started = Date.now();

  beforeAll(async () => {
    t = await startTestApi({ ingest: FUZZ_CAPS });
    base = new URL(t.url);
    console.log(`API fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
  });
  afterEach(async () => {
    // a refused request leaves nothing; an abandoned upload is discarded once the server notices
    await eventually(async () => expect(await t.storeKeys()).toEqual([]));
    expect(await t.jobCount()).toBe(0);
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  const refuses = (arb: fc.Arbitrary<FuzzRequest>, numRuns: number) =>
    fc.assert(
      fc.asyncProperty(arb, async (r) => {
        sent++;
        expectRefusal(r.why, await send(base, agent, r));
      }),
      { seed: SEED, numRuns },
    );

  it('when JSON bodies are malformed, mistyped, hold bad items or prototype keys, or are too big, then each is refused with a 4xx', async () => {
    await refuses(badJsonRequest, RUNS.json);
  }, PROPERTY_TIMEOUT_MS);

  it('when a good JSON body comes with a wrong media type, charset, compression or Idempotency-Key, then it is refused with a 4xx', async () => {
    await refuses(badHeaderRequest, RUNS.headers);
  }, PROPERTY_TIMEOUT_MS);

  it('when text uploads hold bad lines, bytes that are not UTF-8 or no items, or are too big, then each is refused with a 4xx', async () => {
    await refuses(badTextRequest, RUNS.text);
  }, PROPERTY_TIMEOUT_MS);

  it('when a good text upload has a bad priority, charset or compression, then it is refused with a 4xx', async () => {
    await refuses(badTextHeaderRequest, RUNS.textHeaders);
  }, PROPERTY_TIMEOUT_MS);

  it('when credentials are missing, unknown, malformed or contradictory, then every route answers 401', async () => {
    await refuses(badAuthRequest, RUNS.auth);
  }, PROPERTY_TIMEOUT_MS);

  it('when a good body goes to a tenant, project or route that is not the caller\'s or does not exist, then it is refused with a 4xx', async () => {
    await refuses(badTargetRequest, RUNS.target);
  }, PROPERTY_TIMEOUT_MS);

  it('when GETs carry junk ids, tenants and query parameters, then each is refused with a 4xx', async () => {
    await refuses(badGetRequest, RUNS.get);
  }, PROPERTY_TIMEOUT_MS);

  it('when Content-Length lies or framing, header or request-line bytes are broken, then every answer is a 4xx, or none when the client left', async () => {
    let unanswered = 0;
    await fc.assert(
      fc.asyncProperty(rawRequest, async (r) => {
        sent++;
        const answers = await sendRaw(base, r);
        for (const a of answers) expectRefusal(r.why, a);
        // only a client that hung up mid-body may go without an answer
        if (answers.length === 0 && !r.halfClose) throw new Error(`${r.why}: no answer`);
        if (answers.length === 0) unanswered++;
      }),
      { seed: SEED, numRuns: RUNS.raw },
    );
    console.log(`API fuzz raw sockets: ${unanswered} abandoned uploads got no answer (the client had hung up)`);
  }, PROPERTY_TIMEOUT_MS);

  it('after all that, the API still answers, nothing was queued, no key is left and no prototype was polluted', async () => {
    console.log(`API fuzz: ${sent} bad requests in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}`);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(await t.jobCount()).toBe(0);
    expect(await t.storeKeys()).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeKeys);
  });
});

/** The bases the defects are applied to must be good, or the fuzzer would prove nothing. */
describe('control: the valid bases of the generated requests', () => {
  let t: TestApi;
  beforeAll(async () => {
    // 120 valid requests back to back: on a fast runtime they outrun the default caller rate
    // (50/s, a burst of 100), and a 429 there would be the rate's answer, not the body's
    const cms = { id: 'cms', apiKeySha256: createHash('sha256').update(KEYS.cms).digest('hex'), tenants: ['news'], maxRequestsPerSecond: 100_000 };
    t = await startTestApi({ ingest: FUZZ_CAPS, callers: [cms] });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each<Endpoint>(['native', 'dropin'])('when a generated valid %s JSON body is sent as it is, then it is accepted', async (ep) => {
    for (const body of fc.sample(validJsonBody(ep), { seed: SEED, numRuns: 40 })) {
      const res = await fetch(`${t.url}${ep === 'native' ? '/v1/tenants/news/refresh-requests' : '/v1/p1/asset/refresh'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.cms}` },
        body: writeJson(body),
      });
      expect({ status: res.status, body: writeJson(body) }).toEqual({ status: 202, body: writeJson(body) });
    }
  });

  it('when a generated valid text upload is sent as it is, then it is accepted', async () => {
    for (const body of fc.sample(validTextBody, { seed: SEED, numRuns: 40 })) {
      const res = await fetch(`${t.url}/v1/tenants/news/refresh-requests`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${KEYS.cms}` },
        body,
      });
      expect({ status: res.status, body: body.toString() }).toEqual({ status: 202, body: body.toString() });
    }
  });
});
