import { KEYS, bearer, startTestApi } from './helpers';

describe('stopping the API', () => {
  it('when stop is called twice, then both calls resolve', async () => {
    const t = await startTestApi();
    await Promise.all([t.api.stop(), t.api.stop()]);
    await expect(t.api.stop()).resolves.toBeUndefined();
    await t.close();
  });

  it('when stop is called during an upload, then new connections are refused but the upload still gets its 202', async () => {
    const t = await startTestApi();
    try {
      let push!: (s: string | null) => void;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          push = (s) => (s === null ? controller.close() : controller.enqueue(new TextEncoder().encode(s)));
        },
      });
      const upload = fetch(`${t.url}/v1/tenants/news/refresh-requests`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...bearer(KEYS.cms) },
        body,
        duplex: 'half',
      } as RequestInit);
      push('first\n');
      await new Promise((r) => setTimeout(r, 100));

      let stopped = false;
      const stopping = t.api.stop().then(() => {
        stopped = true;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(stopped).toBe(false);
      await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();

      push('second');
      push(null);
      const res = await upload;
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ received: 2 });
      await stopping;
      expect(stopped).toBe(true);
    } finally {
      await t.close();
    }
  });
});
