import { request } from 'node:http';
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
      // Expect: 100-continue, so that the API's "100 Continue" proves it took the upload in; a
      // connection merely waiting to be accepted when stop() closes the listener is not in flight
      const upload = request(new URL('/v1/tenants/news/refresh-requests', t.url), {
        method: 'POST',
        headers: { 'content-type': 'text/plain', expect: '100-continue', ...bearer(KEYS.cms) },
        agent: false,
      });
      const taken = new Promise<void>((resolve) => upload.once('continue', () => resolve()));
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        upload.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        upload.on('error', reject);
      });
      upload.flushHeaders();
      await taken;
      await new Promise<void>((resolve) => upload.write('first\n', () => resolve()));

      let stopped = false;
      const stopping = t.api.stop().then(() => {
        stopped = true;
      });
      await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
      // the upload holds the stop open: it has not resolved however long the above took
      expect(stopped).toBe(false);

      upload.end('second');
      const res = await answer;
      expect(res.status).toBe(202);
      expect(JSON.parse(res.body)).toMatchObject({ received: 2 });
      await stopping;
      expect(stopped).toBe(true);
    } finally {
      await t.close();
    }
  });
});
