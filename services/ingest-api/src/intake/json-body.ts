import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { AppError } from '@refresh/core';
import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import { badFields, badRequest, tooLarge, unsupportedMediaType } from '../http/errors';

const fingerprints = new WeakMap<Request, string>();

/**
 * Reads an application/json body of at most `limitBytes` and validates it with the contract's
 * `schema`, remembering a hash of its raw bytes (an Idempotency-Key is bound to the exact body
 * it came with). Parser errors become our 400/413/415. A body still arriving when `shutdown`
 * aborts is given up with the signal's reason (nothing of a JSON body is staged before it is whole),
 * and so is one that passes the cap.
 *
 * JSON is UTF-8 (RFC 8259 §8.1), and only UTF-8: the parser alone would also decode other
 * `utf-*` charsets (UTF-7, UTF-16) and replace bytes that are not UTF-8 with U+FFFD, so an
 * item could be queued as something other than what the caller sent.
 */
export function createJsonReader<S extends z.ZodType>(limitBytes: number, schema: S, shutdown?: AbortSignal) {
  const parser = express.json({
    limit: limitBytes,
    strict: true,
    type: () => true, // the route has already checked the media type
    verify: (req, _res, buf, encoding) => {
      if (encoding.toLowerCase() !== 'utf-8') throw unsupportedMediaType('only UTF-8 JSON bodies are accepted');
      if (!isUtf8(buf)) throw badRequest('body is not valid UTF-8');
      fingerprints.set(req as Request, createHash('sha256').update('application/json\n').update(buf).digest('hex'));
    },
  });
  return async (req: Request, res: Response): Promise<{ body: z.output<S>; fingerprint: string }> => {
    // The parser reports a body over the cap only once it has read all of it, however long that
    // takes. An uncompressed one is refused as soon as it is known to be over, and the error
    // answer discards the rest within bounds (lingering-close.ts); the cap of a compressed one
    // applies to its inflated bytes, which only the parser sees.
    const identity = (req.get('content-encoding') ?? 'identity').trim().toLowerCase() === 'identity';
    if (identity && Number(req.get('content-length')) > limitBytes) throw tooLarge(limitBytes);
    await new Promise<void>((resolve, reject) => {
      const stop = () => {
        if (!req.complete) reject(shutdown?.reason);
      };
      let seen = 0;
      const count = (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > limitBytes) reject(tooLarge(limitBytes));
      };
      if (shutdown?.aborted) stop();
      shutdown?.addEventListener('abort', stop, { once: true });
      if (identity) req.on('data', count);
      parser(req, res, (err?: unknown) => {
        shutdown?.removeEventListener('abort', stop);
        req.off('data', count);
        if (err) reject(translate(err, limitBytes));
        else resolve();
      });
    });
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) {
      throw badFields('body does not match the request schema', parsed.error.issues, '(root)');
    }
    // a JSON body always passes through verify; an empty body never reaches here
    const fingerprint = fingerprints.get(req) ?? '';
    return { body: parsed.data, fingerprint };
  };
}

function translate(err: unknown, limitBytes: number): unknown {
  // thrown by verify above
  if (err instanceof AppError) return err;
  const e = err as { status?: unknown; type?: unknown };
  if (typeof e.type !== 'string' || typeof e.status !== 'number') return err;
  if (e.status === 413) return tooLarge(limitBytes);
  if (e.status === 415) return unsupportedMediaType('only UTF-8 JSON bodies are accepted');
  if (e.status === 400) return badRequest('body is not valid JSON');
  return err;
}
