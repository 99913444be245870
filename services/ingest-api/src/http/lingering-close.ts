import type { Request, Response } from 'express';

/** How much of a refused body is read and thrown away, after the answer, before the connection is closed. */
export interface DrainBounds {
  /** body bytes after the answer */
  bytes: number;
  /** ms after the answer */
  ms: number;
}

/**
 * For an answer given while the request's body is still arriving: a refusal (413 over the cap,
 * 401, 429, a byte that is not UTF-8, a shutdown's 503). Call it before the answer is written.
 *
 * The answer says `Connection: close`: the rest of the body is not wanted, so the connection
 * cannot carry another request. Node ends such an answer with `socket.destroySoon()`, which
 * closes the socket as soon as the answer is written; the kernel then resets a connection whose
 * received bytes were never read (RST), and a client still sending meets that reset on its next
 * write. Node's http client (axios's transport) then reports EPIPE or ECONNRESET and drops the
 * answer it had not read yet (nodejs/node#12339), and a client that reads only after sending
 * never sees it at all.
 *
 * So this connection is closed in stages, as RFC 9112 §9.6 asks and nginx and Apache do
 * ("lingering close"): the answer, then a half-close (FIN), then the rest of the body is read
 * and discarded until it ends, and only then is the socket closed, with nothing unread.
 *
 * The bound: a client that reads while it sends (node, axios, curl, browsers) needs one round
 * trip to see the answer and stop; a client that reads only after sending gets the answer if
 * the rest of its body fits in `bytes` and arrives within `ms`. Past either the socket is
 * destroyed, reset and all, so a client that never stops sending costs at most `bytes` and
 * holds its connection at most `ms` after the answer.
 */
export function closeAfterDraining(req: Request, res: Response, bounds: DrainBounds): void {
  res.set('Connection', 'close');
  const socket = req.socket;
  let answered = false;
  let discarded = 0;
  let timer: NodeJS.Timeout | undefined;
  const destroy = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const close = () => {
    req.off('data', onData);
    // as destroySoon would: once the answer and the FIN are handed to the kernel (the time
    // bound still holds should that never happen)
    if (socket.writableFinished) destroy();
    else socket.once('finish', destroy);
  };
  const onData = (chunk: Buffer) => {
    if (!answered) return;
    discarded += chunk.length;
    if (discarded > bounds.bytes) close();
  };
  // Discarding starts now, by reading: a body nobody reads is discarded by node itself once the
  // answer is written, but silently, with nothing to count. A reader that stopped early (the
  // text upload's) left the body paused; reading resumes as soon as it lets go.
  req.on('data', onData);
  req.resume();
  // Node calls this once the answer is written, as its last act on a `close` connection
  // (resOnFinish in node's _http_server.js); refused-uploads.test.ts fails should that change.
  socket.destroySoon = () => {
    answered = true;
    timer = setTimeout(destroy, bounds.ms);
    socket.once('close', () => clearTimeout(timer));
    // FIN after the answer; the server's sockets are half-open, so reading goes on
    socket.end();
    // once the whole body is read nothing is left unread, so the close is a clean one
    if (req.readableEnded) close();
    else req.once('end', close);
  };
}
