import { createHash } from 'node:crypto';
import {
  eventually, spawnApi, spawnWorker, startReceiver, startSimulator, stopWorker, testConfig, testWorld, writeConfigFile, type ApiProcess, type Simulator, type WorkerProcess,
} from './harness';
import { startOtlpReceiver, type CollectedSpan } from './otlp-receiver';

/**
 * OpenTelemetry end to end, with the real API and worker processes (dist/main.js) exporting
 * over OTLP/HTTP to a receiver this test runs: one refresh followed from the caller's request
 * to VOD's verdict and the webhook. Nothing is registered in the jest process itself.
 */
const KEY = 'tracing-test-api-key-0123456789';
const WEBHOOK_SECRET = 'tracing-webhook-secret-0123456789abcdef';
const CALLBACK_TOKEN = 'callback-query-token-4f1d2c';
// every item carries this marker: no exported byte may
const ITEM_MARK = 'traced-item-7c2e';
const items = (n: number) => Array.from({ length: n }, (_, i) => `https://cdn.example.com/${ITEM_MARK}/${i}.m3u8`);
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_TRACEPARENT = `00-${CALLER_TRACE}-b7ad6b7169203331-01`;

describe('tracing: one refresh followed end to end', () => {
  let sim: Simulator;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let hooks: Awaited<ReturnType<typeof startReceiver>>;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let world: ReturnType<typeof testWorld>;

  beforeAll(async () => {
    let simUrl: string;
    ({ sim, url: simUrl } = await startSimulator({ taskDurationMs: 100, dailyLimit: 100_000, faults: { latencyMs: 0, errorRate5xx: 0, rate429: 0, hangRate: 0 } }));
    otlp = await startOtlpReceiver();
    hooks = await startReceiver();
    world = testWorld('tracing');
    // 10 items a call and 2 calls a second: 25 URLs go in 3 calls, the later ones waiting for the pace
    const config = testConfig(world.prefix, [{ id: 'news', endpoint: simUrl, dailyLimit: 10_000, maxCallsPerSecond: 2 }], {
      callers: [{
        id: 'cms', apiKeySha256: createHash('sha256').update(KEY).digest('hex'), tenants: ['news'],
        webhook: { secret: WEBHOOK_SECRET, allowedHosts: [hooks.host] },
      }],
      batching: { lingerMs: 50, maxItems: 10 },
      // staged and coalesced 10 items at a time: 25 URLs are 3 chunks
      ingest: { chunkItems: 10 },
      upstream: { pollInitialDelayMs: 100, pollMaxDelayMs: 200 },
      webhooks: { maxAttempts: 3, backoffBaseMs: 50, backoffMaxMs: 200, timeoutMs: 2000 },
    });
    const path = writeConfigFile(config);
    worker = spawnWorker(path, world.prefix, otlp.env);
    api = await spawnApi(path, world.prefix, otlp.env);
  });

  afterAll(async () => {
    if (api) await stopWorker(api);
    if (worker) await stopWorker(worker);
    await world?.close();
    await hooks?.stop();
    await otlp?.stop();
    await sim?.stop();
  });

  const submit = (urls: string[], headers: Record<string, string> = {}) =>
    fetch(`${api.url}/v1/tenants/news/refresh-requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ urls, callback_url: `${hooks.url}?token=${CALLBACK_TOKEN}` }),
    });
  const linksTo = (s: CollectedSpan, traceId: string) => (s.links ?? []).some((l) => l.traceId === traceId);

  it("when a caller sends a traceparent with 25 URLs that go out in 3 calls, then its trace is continued through the ingest, 3 call spans link to it with their waits, and the polls and the webhook link to it too", async () => {
    const res = await submit(items(25), { traceparent: CALLER_TRACEPARENT });
    expect(res.status).toBe(202);
    const answered = res.headers.get('traceparent');
    expect(answered).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));
    const { request_id: requestId } = (await res.json()) as { request_id: string };

    await eventually(async () => hooks.received.length > 0, 'the completion webhook', 30_000);
    const calls = await eventually(async () => {
      const found = otlp.spans.filter((s) => s.name === 'vod.refresh' && linksTo(s, CALLER_TRACE));
      return found.length >= 3 && otlp.spans.some((s) => s.name === 'webhook.deliver') ? found : undefined;
    }, 'the spans of 3 calls and of the webhook', 30_000);

    // the request's own trace: the API's server span, the ingest job's producer and consumer spans
    const requestTrace = otlp.spans.filter((s) => s.traceId === CALLER_TRACE);
    expect(requestTrace.some((s) => s.service === 'ingest-api' && s.kind === 2)).toBe(true);
    expect(requestTrace.some((s) => s.service === 'ingest-api' && s.name.startsWith('add ingest'))).toBe(true);
    expect(requestTrace.some((s) => s.service === 'refresh-worker' && s.name.startsWith('process ingest'))).toBe(true);

    // 3 calls, each its own trace, each linked to the request, with what it carried and waited on
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((c) => c.traceId)).size).toBe(3);
    for (const c of calls) {
      expect(c.traceId).not.toBe(CALLER_TRACE);
      expect(c.attrs).toMatchObject({ 'refresh.tenant': 'news', 'refresh.batch.kind': 'url', 'refresh.call.attempt': 1, 'refresh.outcome': 'accepted' });
    }
    expect(calls.map((c) => c.attrs['refresh.batch.items']).sort()).toEqual([10, 10, 5]);
    const waits = calls.flatMap((c) => (c.events ?? []).filter((e) => e.name === 'wait.pace_slot'));
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(waits.every((e) => Number(otlp.eventAttrs(e.attributes)['refresh.wait.ms']) > 0)).toBe(true);
    // the VOD call itself, as the http instrumentation saw it, inside the call's span
    for (const c of calls) expect(otlp.spans.some((s) => s.traceId === c.traceId && s.parentSpanId === c.spanId && s.kind === 3)).toBe(true);

    // the polls and the webhook delivery link to the request as well
    expect(otlp.spans.some((s) => s.name === 'vod.show_result' && linksTo(s, CALLER_TRACE) && s.attrs['refresh.outcome'] === 'results')).toBe(true);
    const delivery = otlp.spans.find((s) => s.name === 'webhook.deliver' && linksTo(s, CALLER_TRACE));
    expect(delivery?.attrs).toMatchObject({ 'refresh.request_id': requestId, 'refresh.outcome': 'delivered', 'vod.code': 'HTTP.200' });
    // and the POST carries a traceparent of the delivery's trace
    expect(hooks.received[0]!.headers.traceparent).toMatch(new RegExp(`^00-${delivery!.traceId}-[0-9a-f]{16}-01$`));

    // log lines carry the ids of the span they were written in
    expect(worker.output() + api.output()).toMatch(new RegExp(`"trace_id":"${CALLER_TRACE}","span_id":"[0-9a-f]{16}"`));
  });

  it('when one request is staged and coalesced in 3 chunks and another in 1, then neither makes a Redis span per chunk, and the API and the worker each note the chunks on their own span', async () => {
    const traceOf = (n: number) => `${String(n).repeat(32)}`;
    const sent = [{ trace: traceOf(3), urls: 25, chunks: 3 }, { trace: traceOf(1), urls: 5, chunks: 1 }];
    for (const { trace, urls } of sent) {
      const res = await submit(items(urls).map((u) => u.replace('.m3u8', `.${trace.slice(0, 4)}.ts`)), { traceparent: `00-${trace}-b7ad6b7169203331-01` });
      expect(res.status).toBe(202);
    }
    const noted = (service: string, event: string, trace: string) =>
      otlp.spans.filter((s) => s.traceId === trace && s.service === service).flatMap((s) => s.events ?? []).find((e) => e.name === event);
    await eventually(
      async () => sent.every(({ trace }) => noted('ingest-api', 'ingest.staged', trace) && noted('refresh-worker', 'ingest.coalesced', trace)),
      'both requests staged and coalesced, as their spans say', 30_000,
    );

    const redisSpans = (service: string, trace: string, name: string) =>
      otlp.spans.filter((s) => s.traceId === trace && s.service === service && s.attrs['db.system.name'] === 'redis' && s.name === name).length;
    // the API's commands are traced, and are those of any request, whatever its size
    expect(redisSpans('ingest-api', traceOf(1), 'evalsha')).toBeGreaterThan(0);
    expect(redisSpans('ingest-api', traceOf(3), 'evalsha')).toBe(redisSpans('ingest-api', traceOf(1), 'evalsha'));
    // the worker's own commands under process ingest (a wake-up's are under its add dispatch)
    // are those of any request too
    const underIngest = (trace: string) => {
      const ingest = otlp.spans.find((s) => s.traceId === trace && s.service === 'refresh-worker' && s.name.startsWith('process ingest'));
      return otlp.spans.filter((s) => s.traceId === trace && s.parentSpanId === ingest?.spanId && s.attrs['db.system.name'] === 'redis' && s.name === 'evalsha').length;
    };
    expect(underIngest(traceOf(1))).toBeGreaterThan(0);
    expect(underIngest(traceOf(3))).toBe(underIngest(traceOf(1)));
    for (const { trace, urls, chunks } of sent) {
      // reading a chunk of the staged lines is the worker's only LRANGE
      expect(redisSpans('refresh-worker', trace, 'lrange')).toBe(0);
      expect(otlp.eventAttrs(noted('ingest-api', 'ingest.staged', trace)?.attributes)).toMatchObject({ 'refresh.ingest.items': urls, 'refresh.ingest.chunks': chunks });
      expect(otlp.eventAttrs(noted('refresh-worker', 'ingest.coalesced', trace)?.attributes)).toMatchObject({ 'refresh.ingest.chunks': chunks, 'refresh.ingest.created': urls });
    }
  });

  it('when a request comes without a traceparent, then a new trace begins and the answer names it', async () => {
    const res = await submit(items(2).map((u) => u.replace('.m3u8', '.mpd')));
    expect(res.status).toBe(202);
    const tp = res.headers.get('traceparent');
    expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = tp!.split('-')[1]!;
    expect(traceId).not.toBe(CALLER_TRACE);
    await eventually(async () => otlp.spans.some((s) => s.name === 'vod.refresh' && linksTo(s, traceId)), 'a call linked to the new trace', 30_000);
  });

  it('when everything is exported, then no item, URL query, key, secret, token or signature is in any byte of it', async () => {
    // what the services had flushed by now, after the requests above went all the way
    await eventually(async () => otlp.spans.some((s) => s.name === 'webhook.deliver'), 'spans to have arrived');
    const sent = otlp.bytes();
    expect(sent.length).toBeGreaterThan(1000);
    const signature = hooks.received[0]!.headers['refresh-signature'];
    for (const secret of [ITEM_MARK, KEY, WEBHOOK_SECRET, CALLBACK_TOKEN, 'test-secret', 'TESTAK0000000000', String(signature)]) {
      expect({ secret, found: sent.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(sent).not.toMatch(/cdn\.example\.com/);
  });
});
