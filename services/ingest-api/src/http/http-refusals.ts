import type { Socket } from 'node:net';
import type { ErrorBody } from '@refresh/contract';
import { ERROR_CODES } from '@refresh/core';
import type { RequestHandler } from 'express';
import { badRequest } from './errors';

/**
 * Refusals node's HTTP layer would otherwise answer itself, with a bare status line and no
 * body: every answer of this API carries VOD's error shape, whatever refused the request.
 */

const PARSER_REFUSALS: Record<string, { status: number; reason: string; body: ErrorBody }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    body: { error_code: ERROR_CODES.PAYLOAD_TOO_LARGE, error_msg: 'request line and headers are too large' },
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    reason: 'Payload Too Large',
    body: { error_code: ERROR_CODES.PAYLOAD_TOO_LARGE, error_msg: 'chunk extensions are too large' },
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    body: { error_code: ERROR_CODES.INVALID_REQUEST, error_msg: 'the request did not arrive in time' },
  },
};
const MALFORMED = {
  status: 400,
  reason: 'Bad Request',
  body: { error_code: ERROR_CODES.INVALID_REQUEST, error_msg: 'malformed HTTP request' },
};

/**
 * The server's `clientError` listener: node's parser refused the bytes (a broken request line,
 * header or chunk, a body cut short, headers over the size limit) before express saw a request.
 * Like node's own default, it answers only when nothing of another answer has been written on
 * the connection, and the connection is closed: its framing can no longer be trusted.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket, answerStarted: boolean): void {
  if (err.code === 'ECONNRESET' || !socket.writable || answerStarted) {
    socket.destroy();
    return;
  }
  const r = (err.code !== undefined ? PARSER_REFUSALS[err.code] : undefined) ?? MALFORMED;
  const body = JSON.stringify(r.body);
  socket.end(
    `HTTP/1.1 ${r.status} ${r.reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * HTTP/1.1 requires a Host header (RFC 9112 §3.2). Node refuses requests without one by itself,
 * with no body, unless the server is created with `requireHostHeader: false`; this refuses them
 * in VOD's shape instead.
 */
export const requireHost: RequestHandler = (req, _res, next) => {
  if (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1 && req.headers.host === undefined) {
    next(badRequest('an HTTP/1.1 request needs a Host header'));
    return;
  }
  next();
};
