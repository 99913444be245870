import { createHash } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { badRequest, tooLarge, unsupportedMediaType } from './errors';

/** The JSON form of a refresh request. Unknown fields are refused, not ignored. */
export const refreshBody = z.strictObject({
  asset_ids: z.array(z.string()).optional(),
  urls: z.array(z.string()).optional(),
  priority: z.enum(['high', 'normal', 'low']).optional(),
});
export type RefreshBody = z.infer<typeof refreshBody>;

const fingerprints = new WeakMap<Request, string>();

/**
 * Reads and parses an application/json body of at most `limitBytes`, remembering a hash of
 * its raw bytes (an Idempotency-Key is bound to the exact body it came with). Parser errors
 * become our 400/413/415.
 */
export function createJsonReader(limitBytes: number) {
  const parser = express.json({
    limit: limitBytes,
    strict: true,
    type: () => true, // the route has already checked the media type
    verify: (req, _res, buf) => {
      fingerprints.set(req as Request, createHash('sha256').update('application/json\n').update(buf).digest('hex'));
    },
  });
  return async (req: Request, res: Response): Promise<{ body: RefreshBody; fingerprint: string }> => {
    await new Promise<void>((resolve, reject) => {
      parser(req, res, (err?: unknown) => (err ? reject(translate(err, limitBytes)) : resolve()));
    });
    const parsed = refreshBody.safeParse(req.body);
    if (!parsed.success) {
      throw badRequest(
        'body does not match the refresh request schema',
        parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(root)', reason: i.message })),
      );
    }
    // a JSON body always passes through verify; an empty body never reaches here
    const fingerprint = fingerprints.get(req) ?? '';
    return { body: parsed.data, fingerprint };
  };
}

function translate(err: unknown, limitBytes: number): unknown {
  const e = err as { status?: unknown; type?: unknown };
  if (typeof e.type !== 'string' || typeof e.status !== 'number') return err;
  if (e.status === 413) return tooLarge(limitBytes);
  if (e.status === 415) return unsupportedMediaType('only UTF-8 JSON bodies are accepted');
  if (e.status === 400) return badRequest('body is not valid JSON');
  return err;
}
