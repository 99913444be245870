import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type ProxyAction =
  | 'forward'
  /** forwards it, lets the API answer, then drops the caller's connection: "did it arrive?" */
  | 'drop-answer'
  /** answers 503 with the API's own error body, without forwarding */
  | 'unavailable';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** the API's answer, when the request was forwarded */
  answer?: { status: number; body: string };
}

/**
 * A real HTTP proxy in front of the API that misbehaves as a test tells it to: the client's
 * retries are tested over real sockets rather than against a mocked HTTP library.
 */
export async function startFlakyProxy(target: string, decide: (seen: Seen, index: number) => ProxyAction) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    const action = decide(entry, seen.length);
    seen.push(entry);
    if (action === 'unavailable') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(JSON.stringify({ error_code: 'RFS.0008', error_msg: 'storage is unavailable, retry later' }));
      return;
    }
    const upstream = request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        entry.answer = { status: answer.statusCode ?? 0, body: Buffer.concat(chunks).toString() };
        if (action === 'drop-answer') {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(Buffer.concat(chunks));
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
