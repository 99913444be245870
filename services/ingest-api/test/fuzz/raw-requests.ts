import { connect } from 'node:net';
import fc from 'fast-check';
import { KEYS } from '../helpers';
import { badJsonValue, validJsonBody, validTextBody } from './bad-bodies';
import { writeJson } from './json-text';
import type { Answer } from './send';

/**
 * Requests only a raw socket can send: a Content-Length that lies, a framing node's client
 * would never write, bytes that are not allowed in a request line or a header.
 * Each goes on a connection of its own with `Connection: close`, and every answer that comes
 * back on it is read.
 */
export interface RawRequest {
  why: string;
  bytes: Buffer;
  /**
   * The request stops short of its declared length and the client then half-closes: the
   * server is left with a request it can never finish, and no answer can reach the client.
   */
  halfClose: boolean;
}

const NATIVE = 'POST /v1/tenants/news/refresh-requests HTTP/1.1';
const head = (requestLine: string, headers: string[]) =>
  Buffer.from(`${requestLine}\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEYS.cms}\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`, 'latin1');
const jsonHead = (len: number | null, extra: string[] = []) =>
  head(NATIVE, ['Content-Type: application/json', ...(len === null ? [] : [`Content-Length: ${len}`]), ...extra]);

const anyJsonObject = fc.oneof(validJsonBody('native'), badJsonValue('native').map((b) => b.json))
  .filter((j) => j !== null && typeof j === 'object' && !Array.isArray(j))
  .map((j) => Buffer.from(writeJson(j)));
/** header-line bytes the HTTP parser must refuse */
const BAD_HEADER_LINES = [
  'X-Bad: a\u0000b', 'X-Bad: a\u0001b', 'X-Bad: a\u007fb', 'X-Bad: a\rb', 'Bad Header: x', 'X(y): z', ': no-name', 'X-Bad', 'X-Bad: a\r\n folded',
  'Content-Length: 10\r\nContent-Length: 11', 'Content-Length: -1', 'Content-Length: 1e3', 'Content-Length: 0x10',
  'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked, identity',
];

export const rawRequest: fc.Arbitrary<RawRequest> = fc.oneof(
  // declares less than it sends: the JSON is cut short, the rest arrives as a junk "request"
  fc.tuple(anyJsonObject, fc.nat()).map(([b, n]) => {
    const declared = n % b.length;
    return { why: `Content-Length ${declared} of ${b.length} bytes`, bytes: Buffer.concat([jsonHead(declared), b]), halfClose: false };
  }),
  // declares more than it sends, then the client gives up; text uploads stage chunks meanwhile
  fc.tuple(fc.oneof(anyJsonObject.map((b) => ({ b, text: false })), validTextBody.map((b) => ({ b, text: true }))), fc.integer({ min: 1, max: 5000 }))
    .map(([{ b, text }, more]) => ({
      why: `${text ? 'text' : 'JSON'}: Content-Length ${b.length + more} of ${b.length} bytes, then closed`,
      bytes: Buffer.concat([text ? head(NATIVE, ['Content-Type: text/plain', `Content-Length: ${b.length + more}`]) : jsonHead(b.length + more), b]),
      halfClose: true,
    })),
  fc.tuple(anyJsonObject, fc.constantFrom('zz', '-1', '1;ext="', '', 'ffffffffffffffffff', '0x10')).map(([b, size]) => ({
    why: `bad chunk size ${JSON.stringify(size)}`,
    bytes: Buffer.concat([jsonHead(null, ['Transfer-Encoding: chunked']), Buffer.from(`${size}\r\n`), b, Buffer.from('\r\n0\r\n\r\n')]),
    halfClose: false,
  })),
  anyJsonObject.map((b) => ({
    why: 'Content-Length and Transfer-Encoding both',
    bytes: Buffer.concat([jsonHead(b.length, ['Transfer-Encoding: chunked']), b]),
    halfClose: false,
  })),
  fc.tuple(anyJsonObject, fc.constantFrom(...BAD_HEADER_LINES)).map(([b, line]) => ({
    why: `header line ${JSON.stringify(line)}`,
    bytes: Buffer.concat([jsonHead(b.length, [line]), b]),
    halfClose: false,
  })),
  fc.constantFrom(
    'POST /v1/tenants/news/refresh-requests\u0000 HTTP/1.1', 'POST /v1/tenants/new s/refresh-requests HTTP/1.1', 'FOO /v1/tenants/news/refresh-requests HTTP/1.1',
    'POST  /v1/tenants/news/refresh-requests HTTP/1.1', 'POST /v1/tenants/news/refresh-requests', 'POST /v1/tenants/n\u00e9ws/refresh-requests HTTP/1.1',
  ).map((line) => ({ why: `request line ${JSON.stringify(line)}`, bytes: Buffer.concat([head(line, ['Content-Length: 0'])]), halfClose: false })),
  fc.integer({ min: 17_000, max: 40_000 }).map((n) => ({
    why: `${n} bytes of headers`,
    bytes: jsonHead(2, [`X-Big: ${'h'.repeat(n)}`]),
    halfClose: false,
  })),
  anyJsonObject.map((b) => ({
    why: 'HTTP/1.1 without Host',
    bytes: Buffer.concat([Buffer.from(`${NATIVE}\r\nAuthorization: Bearer ${KEYS.cms}\r\nContent-Type: application/json\r\nContent-Length: ${b.length}\r\nConnection: close\r\n\r\n`), b]),
    halfClose: false,
  })),
);

/** Sends one raw request and returns every answer the server wrote before closing. */
export function sendRaw(base: URL, r: RawRequest, timeoutMs = 10_000): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: base.hostname, port: Number(base.port), allowHalfOpen: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${r.why}: no end of the connection after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    // a reset after the server answered and closed is fine: what was read is kept
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseAnswers(Buffer.concat(chunks)));
      } catch (err) {
        reject(new Error(`${r.why}: ${(err as Error).message}`));
      }
    });
    socket.on('end', () => socket.end());
    socket.write(r.bytes, () => {
      if (r.halfClose) socket.end();
    });
  });
}

/** Splits a stream of HTTP/1.1 answers; each must carry a Content-Length (express's always do). */
export function parseAnswers(buf: Buffer): Answer[] {
  const out: Answer[] = [];
  let at = 0;
  while (at < buf.length) {
    const end = buf.indexOf('\r\n\r\n', at);
    if (end === -1) throw new Error(`an answer's head is cut: ${JSON.stringify(buf.subarray(at, at + 200).toString('latin1'))}`);
    const headText = buf.subarray(at, end).toString('latin1');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(headText);
    if (!status?.[1]) throw new Error(`not an HTTP answer: ${JSON.stringify(headText.slice(0, 200))}`);
    const len = /\r\ncontent-length:\s*(\d+)/i.exec(headText);
    const bodyLen = len?.[1] !== undefined ? Number(len[1]) : 0;
    out.push({ status: Number(status[1]), body: buf.subarray(end + 4, end + 4 + bodyLen) });
    at = end + 4 + bodyLen;
  }
  return out;
}
