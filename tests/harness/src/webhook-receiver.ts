import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  /** the raw body, exactly as it arrived (signatures are over these bytes) */
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1, port 0. `answer` decides each reply from the number of the
 * request (1-based); the default is 200. Every request is recorded.
 */
export async function startReceiver(answer: (n: number) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 })) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const a = answer(received.length);
      res.writeHead(a.status, a.headers).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    port,
    /** the allowlist entry for this receiver */
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/hooks/refresh`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
