/**
 * Huawei API Gateway AK/SK signing (SDK-HMAC-SHA256), as specified in
 * docs/upstream-vod.md and implemented by Huawei's Go SDK (core/auth/signer/signer.go).
 * The same canonicalisation serves both sides: the client signs, the simulator verifies,
 * so a disagreement between them cannot hide a bug that the real gateway would catch.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'SDK-HMAC-SHA256';

/** Header values as callers hold them: plain records or Node's IncomingHttpHeaders. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;
export type Body = string | Uint8Array;

export interface CanonicalRequestInput {
  method: string;
  /** Absolute URL or path with query; only path and query take part in the canonical form. */
  url: string;
  headers: HeaderMap;
  /** Lower-case header names to sign; sorted here, so order does not matter. */
  signedHeaders: readonly string[];
  /** The exact bytes sent: a string is hashed as UTF-8. */
  body: Body;
}

export interface SignRequestInput {
  method: string;
  url: string;
  headers: HeaderMap;
  body: Body;
  accessKey: string;
  secretKey: string;
  date?: Date;
}

export interface SignatureHeaders {
  'X-Sdk-Date': string;
  Authorization: string;
}

export type VerifyResult =
  | { ok: true; accessKey: string }
  | { ok: false; reason: 'bad-signature' | 'unknown-key' | 'missing' | 'clock-skew' };

export interface VerifySignatureInput {
  method: string;
  url: string;
  headers: HeaderMap;
  body: Body;
  lookupSecret: (accessKey: string) => string | undefined;
  now: number;
  maxSkewMs: number;
}

// Huawei's Node SDK signs these when present; x-sdk-date is mandatory, host always present.
const SIGNABLE = ['content-type', 'host', 'x-project-id'] as const;
const AUTH_PATTERN = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]{64})$/;
const SDK_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** RFC 3986 unreserved characters stay; everything else is %XX of its UTF-8 bytes, upper-case hex. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Milliseconds since the epoch, or undefined when the value is not YYYYMMDDTHHMMSSZ. */
export function parseSdkDate(value: string): number | undefined {
  const m = SDK_DATE_PATTERN.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  return Number.isNaN(ms) ? undefined : ms;
}

export function sha256Hex(body: Body): string {
  return createHash('sha256').update(body).digest('hex');
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  // The base only lets a bare path parse; it never enters the canonical form.
  const url = new URL(input.url, 'http://canonical.invalid');
  const signed = [...input.signedHeaders].sort();
  const headers = lowerCaseHeaders(input.headers);
  const canonicalHeaders = signed
    .flatMap((name) => [...(headers.get(name) ?? [])].sort().map((v) => `${name}:${v.trim()}\n`))
    .join('');
  return [
    input.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    signed.join(';'),
    sha256Hex(input.body),
  ].join('\n');
}

export function stringToSign(canonical: string, sdkDate: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function signature(toSign: string, secretKey: string): string {
  return createHmac('sha256', secretKey).update(toSign).digest('hex');
}

/** The two headers to add to the request; `headers` must hold every other header that is sent. */
export function signRequest(input: SignRequestInput): SignatureHeaders {
  const sdkDate = formatSdkDate(input.date ?? new Date());
  const given = lowerCaseHeaders(input.headers);
  // A stale X-Sdk-Date passed in would otherwise be signed as a second value.
  const headers: Record<string, string | readonly string[] | undefined> = Object.fromEntries(
    Object.entries(input.headers).filter(([name]) => name.toLowerCase() !== 'x-sdk-date'),
  );
  headers['x-sdk-date'] = sdkDate;
  // Node derives the Host header from the URL the same way (port only when not the default).
  if (!given.has('host')) headers.host = new URL(input.url).host;
  const signedHeaders = [...SIGNABLE.filter((h) => h === 'host' || given.has(h)), 'x-sdk-date'].sort();
  const canonical = canonicalRequest({ ...input, headers, signedHeaders });
  const sig = signature(stringToSign(canonical, sdkDate), input.secretKey);
  return {
    'X-Sdk-Date': sdkDate,
    Authorization: `${ALGORITHM} Access=${input.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`,
  };
}

/**
 * The gateway's side. The signature is checked before the clock so that `clock-skew` is only
 * reported for requests whose signer is genuine: that is the case worth telling apart.
 */
export function verifySignature(input: VerifySignatureInput): VerifyResult {
  const headers = lowerCaseHeaders(input.headers);
  const authorization = headers.get('authorization')?.[0];
  const sdkDate = headers.get('x-sdk-date')?.[0];
  if (!authorization || !sdkDate) return { ok: false, reason: 'missing' };
  const m = AUTH_PATTERN.exec(authorization.trim());
  if (!m) return { ok: false, reason: 'bad-signature' };
  const [, accessKey, signedList, given] = m as unknown as [string, string, string, string];
  const secretKey = input.lookupSecret(accessKey);
  if (secretKey === undefined) return { ok: false, reason: 'unknown-key' };
  const signedHeaders = signedList.split(';');
  const dateMs = parseSdkDate(sdkDate);
  if (dateMs === undefined || !signedHeaders.includes('x-sdk-date') || !signedHeaders.every((h) => headers.has(h))) {
    return { ok: false, reason: 'bad-signature' };
  }
  let expected: string;
  try {
    expected = signature(stringToSign(canonicalRequest({ ...input, signedHeaders }), sdkDate), secretKey);
  } catch {
    return { ok: false, reason: 'bad-signature' }; // malformed percent-encoding in the path
  }
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given.toLowerCase(), 'hex'))) {
    return { ok: false, reason: 'bad-signature' };
  }
  if (Math.abs(input.now - dateMs) > input.maxSkewMs) return { ok: false, reason: 'clock-skew' };
  return { ok: true, accessKey };
}

function canonicalUri(pathname: string): string {
  // Segments are decoded first so that an already-encoded path and a raw one sign alike.
  const uri = pathname.split('/').map((segment) => percentEncode(decodeURIComponent(segment))).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function canonicalQuery(params: URLSearchParams): string {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of params) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  return [...byKey.keys()]
    .sort(byteOrder)
    .flatMap((k) => (byKey.get(k) ?? []).sort(byteOrder).map((v) => `${percentEncode(k)}=${percentEncode(v)}`))
    .join('&');
}

// The Go SDK sorts by bytes; JavaScript's default sort compares UTF-16 code units.
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function lowerCaseHeaders(headers: HeaderMap): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    out.set(key, [...(out.get(key) ?? []), ...(typeof value === 'string' ? [value] : value)]);
  }
  return out;
}
