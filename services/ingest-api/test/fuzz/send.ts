import { Agent, request } from 'node:http';
import type { FuzzRequest } from './bad-requests';

export interface Answer {
  status: number;
  body: Buffer;
}

/**
 * Sends one request over a keep-alive agent and reads the whole answer. A request that
 * fails on a reused socket before any answer is retried once on a new one: the server may
 * have closed that idle connection just as it was picked (node's documented race).
 */
export async function send(base: URL, agent: Agent, r: FuzzRequest): Promise<Answer> {
  try {
    return await sendOnce(base, agent, r);
  } catch (err) {
    if ((err as { reusedSocket?: boolean }).reusedSocket) return sendOnce(base, agent, r);
    throw err;
  }
}

function sendOnce(base: URL, agent: Agent, r: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...r.headers };
    if (r.body && !r.chunked) headers['content-length'] = String(r.body.length);
    const req = request(
      { host: base.hostname, port: base.port, method: r.method, path: r.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
    if (r.body && r.chunked) {
      // two writes, so the body really goes out in chunks
      const half = r.body.length >> 1;
      req.write(r.body.subarray(0, half));
      req.end(r.body.subarray(half));
    } else {
      req.end(r.body);
    }
  });
}

// our codes, and VOD's for what the drop-in endpoint refuses as VOD would (vod-errors.ts)
const ERROR_CODE = /^(RFS\.\d{4}|VOD\.\d{5})$/;

/** Throws, naming the request, unless the answer is a 4xx with VOD's error shape. */
export function expectRefusal(why: string, a: Answer): void {
  const text = a.body.toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const b = body as { error_code?: unknown; error_msg?: unknown } | undefined;
  const ok = a.status >= 400 && a.status <= 499 && typeof b?.error_code === 'string' && ERROR_CODE.test(b.error_code) && typeof b.error_msg === 'string';
  if (!ok) throw new Error(`${why}: answered ${a.status} ${text.slice(0, 300)}`);
}
