import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { badRequest } from '../http/errors';

/** Seconds an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

/**
 * The hash of the request's Idempotency-Key header scoped by the caller that sent it, or null
 * without one. Keys are 1-255 printable ASCII characters (inner spaces allowed); only the hash is
 * stored. Scoped, so a caller sharing the tenant cannot take (or learn of) another's key: the same
 * key from two callers names two requests.
 */
export function idempotencyKeyHash(req: Request, callerId: string): string | null {
  const key = req.get('idempotency-key');
  if (key === undefined) return null;
  if (!PRINTABLE.test(key)) throw badRequest('Idempotency-Key must be 1-255 printable characters');
  return createHash('sha256').update(callerId).update('\0').update(key).digest('hex');
}
