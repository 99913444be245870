import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signing of completion webhooks, Stripe's scheme: the header
 * `Refresh-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is inside the MAC, so a captured delivery cannot be replayed outside the
 * receiver's tolerance window. Pure functions, so receivers (and our client package) verify
 * with exactly the code that signs.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'Refresh-Signature';
/** seconds a receiver accepts between `t` and its own clock, either way (Stripe's default) */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

function mac(secret: string, timestamp: number, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The header value for `rawBody` signed at `timestamp` (unix seconds). */
export function signWebhook(secret: string, rawBody: string | Buffer, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`timestamp must be whole unix seconds, got ${timestamp}`);
  return `t=${timestamp},v1=${mac(secret, timestamp, rawBody).toString('hex')}`;
}

export type WebhookVerification =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * Checks a `Refresh-Signature` header against the raw body as received (before any JSON
 * parsing: re-serialising changes bytes). Every `v1=` in the header is tried, so a sender
 * rotating its secret may send two; each comparison is constant-time.
 */
export function verifyWebhook(
  secret: string,
  rawBody: string | Buffer,
  header: string | undefined,
  opts: { nowSeconds?: number; toleranceSeconds?: number } = {},
): WebhookVerification {
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  let timestamp: number | null = null;
  const candidates: Buffer[] = [];
  for (const part of (header ?? '').split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,15}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === null || candidates.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(now - timestamp) > tolerance) return { ok: false, reason: 'stale' };
  const expected = mac(secret, timestamp, rawBody);
  let match = false;
  for (const c of candidates) match = timingSafeEqual(c, expected) || match;
  return match ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
