import { request } from 'node:http';

export interface Answer {
  status: number;
  body: { error_code?: string; error_msg?: string; details?: { reason?: string }; request_id?: string; received?: number };
}

/**
 * One POST whose body the test sends piece by piece over its own connection, so a test can
 * hold an upload "in flight" for as long as it needs and decide when it ends. `answer` settles
 * with the API's answer, or with status 0 when the connection was cut without one.
 *
 * It asks `Expect: 100-continue`: `started` settles on the API's "100 Continue", proof that the
 * API took the request in (a connection merely queued to be accepted is not in flight).
 */
export function openUpload(baseUrl: string, path: string, headers: Record<string, string>) {
  const req = request(new URL(path, baseUrl), { method: 'POST', headers: { ...headers, expect: '100-continue' }, agent: false });
  req.flushHeaders();
  const started = new Promise<void>((resolve) => req.once('continue', () => resolve()));
  let answered = false;
  const answer = new Promise<Answer>((resolve) => {
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Answer['body']) : {} }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: {} }));
    });
    req.on('error', () => {
      if (!answered) resolve({ status: 0, body: {} });
    });
  });
  return {
    started,
    answer,
    /** true once the API has answered: writing on is pointless */
    get answered() {
      return answered;
    },
    /** writes a piece and waits until it is handed to the socket */
    write(text: string): Promise<void> {
      if (answered || req.destroyed) return Promise.resolve();
      return new Promise((resolve) => req.write(text, () => resolve()));
    },
    end(text?: string): void {
      if (!req.destroyed) req.end(text);
    },
    /** cuts the connection (the test's own cleanup) */
    abort(): void {
      req.destroy();
    },
  };
}
export type OpenUpload = ReturnType<typeof openUpload>;
