import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { MAX_URL_LENGTH } from '@refresh/core';
import type { Request } from 'express';
import { badRequest, tooLarge, unsupportedMediaType } from '../http/errors';

const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

/**
 * A line longer than any valid item is invalid whatever it holds, so only its start is kept:
 * memory stays bounded even for a body that is one huge line. +2 keeps a maximal URL and its
 * "\r", plus one character more so that what is kept is still too long to pass validation.
 */
const KEEP_CHARS = MAX_URL_LENGTH + 2;

/** Refuses text/plain bodies in charsets other than UTF-8 (ASCII is a subset). */
export function checkTextCharset(req: Request): void {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(req.get('content-type') ?? '');
  if (m?.[1] && !UTF8_CHARSETS.has(m[1].toLowerCase())) {
    throw unsupportedMediaType(`charset ${m[1]} is not supported; send UTF-8`);
  }
}

/**
 * Streams a text/plain body line by line without ever holding it: each non-empty line is
 * handed to `onLine` (without its "\n" or "\r\n"), whose promise, when it returns one, is
 * awaited before reading on. A line may span chunks; the last line needs no newline.
 *
 * Throws a 413 as soon as more than `maxBytes` have arrived (the rest is not read) and a 400
 * for bytes that are not UTF-8. Returns the byte count and a hash of the bytes, for
 * idempotency, which also covers `salt` (the query's priority is part of what was asked).
 * When `signal` aborts (the API is shutting down) the read stops with the signal's reason.
 */
export async function readTextLines(
  body: Readable,
  opts: { maxBytes: number; salt: string; signal?: AbortSignal | undefined },
  onLine: (line: string, lineNumber: number) => Promise<void> | undefined,
): Promise<{ bytes: number; fingerprint: string }> {
  const hash = createHash('sha256').update(`text/plain\n${opts.salt}\n`);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  let lineNumber = 0;
  let line = '';

  const decode = (chunk?: Buffer): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw badRequest('body is not valid UTF-8');
    }
  };
  const append = (piece: string) => {
    if (line.length < KEEP_CHARS) line += piece.length > KEEP_CHARS ? piece.slice(0, KEEP_CHARS) : piece;
  };
  const emit = (): Promise<void> | undefined => {
    lineNumber++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    line = '';
    return text.length === 0 ? undefined : onLine(text, lineNumber);
  };
  const consume = async (text: string) => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) {
        append(start === 0 ? text : text.slice(start));
        return;
      }
      append(text.slice(start, nl));
      const pending = emit();
      if (pending) await pending;
      start = nl + 1;
    }
  };

  // destroyOnReturn: false so that stopping early (413, a bad byte, a shutdown) leaves the
  // socket open for the error answer; the rest of the body is then discarded, within bounds,
  // before the connection closes (lingering-close.ts).
  const chunks = body.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
  const abort = opts.signal ? whenAborted(opts.signal) : undefined;
  const stopped = abort?.promise;
  try {
    for (;;) {
      // a shutdown stops the read between chunks, never while a line is being staged, so once
      // this throws nothing more of the upload is written; a body that has fully arrived is read on
      const waiting = stopped && !(body as { complete?: boolean }).complete;
      const next = await (waiting ? Promise.race([chunks.next(), stopped]) : chunks.next());
      if (next.done) break;
      const chunk = next.value;
      bytes += chunk.length;
      if (bytes > opts.maxBytes) throw tooLarge(opts.maxBytes);
      hash.update(chunk);
      await consume(decode(chunk));
    }
  } catch (err) {
    // as for-await would: let go of the stream (not awaited: a read may still be pending)
    chunks.return?.().catch(() => undefined);
    // the caller went away mid-upload: nobody is left to answer, but it is not our bug
    if (body.errored) throw badRequest('the upload was interrupted');
    throw err;
  } finally {
    // the signal lives as long as the process: a listener left on it per upload would pile up
    abort?.dispose();
  }
  await consume(decode());
  if (line.length > 0) {
    const pending = emit();
    if (pending) await pending;
  }
  return { bytes, fingerprint: hash.digest('hex') };
}

/**
 * A promise that rejects with the signal's reason once it aborts and never settles otherwise,
 * and `dispose`, which takes its listener off the signal again.
 */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort = () => undefined as void;
  const promise = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined); // raced, and unobserved when the upload ends first
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}
