import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAnswers } from './fuzz/raw-requests';
import type { Answer } from './fuzz/send';

/**
 * A text upload sent over a raw socket as fast as the server takes it, so a test controls what
 * an HTTP library would hide: when the client reads, whether it stops sending, and the error
 * that ended its sending.
 */
export interface StreamedUpload {
  /** header lines after the request line and Host (Authorization, Content-Type, …) */
  headers: string[];
  /** body bytes to send, `first` included; the rest is valid URL lines */
  bytes: number;
  /** bytes the body starts with (a byte that is not UTF-8, say) */
  first?: Buffer;
  /** declare the length with Content-Length instead of sending the body chunked */
  contentLength?: boolean;
  /** bytes per write; 64 KiB unless set */
  chunkBytes?: number;
  /** ms between writes: a client trickling its body */
  paceMs?: number;
}

export interface UploadOutcome {
  /** every answer read on the connection */
  answers: Answer[];
  /** body bytes written before the client stopped */
  written: number;
  /** true when the whole body was written (the client was never cut off) */
  sentAll: boolean;
  /** node's code for the error that ended the sending (EPIPE, ECONNRESET), if one did */
  writeError?: string;
}

const LINES = Buffer.from('https://cdn.example.com/streamed/segment_000000.ts\n'.repeat(2_000));
const PATH = '/v1/tenants/news/refresh-requests';

/**
 * Writes the whole body and only then reads the answer, as simple clients do (Python's
 * http.client, for one): such a client sees an early refusal only if the server reads the
 * rest of the body instead of resetting the connection under it.
 */
export function writeThenRead(base: URL, u: StreamedUpload): Promise<UploadOutcome> {
  const socket = open(base);
  // nothing is read until the body is written: what arrives waits in the kernel
  socket.pause();
  return run(socket, u);
}

/**
 * Reads while it writes, and keeps writing whatever it reads until the connection dies or the
 * body is all sent: a hostile (or broken) client that ignores the answer.
 */
export function sendRegardless(base: URL, u: StreamedUpload): Promise<UploadOutcome> {
  return run(open(base), u);
}

function open(base: URL): Socket {
  // half-open: the server's FIN after its answer must not stop this side from sending
  return connect({ host: base.hostname, port: Number(base.port), allowHalfOpen: true });
}

/** Sends the body until it is all written or the connection dies, then reads to the server's close. */
async function run(socket: Socket, u: StreamedUpload): Promise<UploadOutcome> {
  const received: Buffer[] = [];
  let writeError: string | undefined;
  let closed = false;
  const ended = new Promise<void>((resolve) => socket.once('close', () => {
    closed = true;
    resolve();
  }));
  socket.on('error', (err: NodeJS.ErrnoException) => {
    writeError ??= err.code ?? err.message;
  });
  socket.on('data', (c: Buffer) => received.push(c));

  const framing = u.contentLength ? `Content-Length: ${u.bytes}` : 'Transfer-Encoding: chunked';
  const head = `POST ${PATH} HTTP/1.1\r\nHost: localhost\r\n${[...u.headers, framing].join('\r\n')}\r\n\r\n`;
  let written = 0;
  const frame = (piece: Buffer) =>
    u.contentLength ? piece : Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);

  await untilEither(socket, 'connect');
  if (!closed) socket.write(head);
  while (written < u.bytes && !closed && writeError === undefined) {
    const size = Math.min(u.chunkBytes ?? 64 * 1024, u.bytes - written);
    const piece = written === 0 && u.first ? u.first.subarray(0, size) : LINES.subarray(0, size);
    written += piece.length;
    if (!socket.write(frame(piece))) await untilEither(socket, 'drain');
    if (u.paceMs !== undefined) await sleep(u.paceMs);
  }
  const sentAll = written >= u.bytes && !closed && writeError === undefined;
  if (sentAll) {
    if (!u.contentLength) socket.write('0\r\n\r\n');
    socket.end();
  }
  // now (or all along) read what the server wrote, up to its close
  socket.resume();
  await ended;
  return { answers: parseAnswers(Buffer.concat(received)), written, sentAll, writeError };
}

/** Resolves on `event` or on the socket's close, whichever comes first. */
function untilEither(socket: Socket, event: 'connect' | 'drain'): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off(event, done);
      socket.off('close', done);
      resolve();
    };
    socket.on(event, done).on('close', done);
  });
}
