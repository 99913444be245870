import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { KEYS } from '../helpers';
import { badJsonBytes, badTextBytes, oddString, validJsonBody, validTextBody, type Endpoint } from './bad-bodies';
import { writeJson } from './json-text';

/**
 * Whole HTTP requests for the API fuzzer, each bad by construction: everything about it is
 * valid except the defect its `why` names (or several), so the answer must be a 4xx.
 * Sent with node:http (see send.ts), which refuses control characters in headers and paths;
 * those go over raw sockets (raw-requests.ts).
 */
export interface FuzzRequest {
  why: string;
  method: string;
  /** path and query, already percent-encoded */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** send the body with Transfer-Encoding: chunked instead of a Content-Length */
  chunked?: boolean;
}

/** The caps the fuzzed API runs with: small, so "too big" is cheap to send. */
export const FUZZ_CAPS = { jsonBodyBytes: 16 * 1024, textBodyBytes: 16 * 1024, chunkItems: 3 };

const NATIVE_PATH = '/v1/tenants/news/refresh-requests';
const DROPIN_PATH = '/v1/p1/asset/refresh';
const pathOf = (ep: Endpoint) => (ep === 'native' ? NATIVE_PATH : DROPIN_PATH);
/** the cms caller's key, as each endpoint's clients would send it */
const goodAuth = (ep: Endpoint): Record<string, string> =>
  ep === 'native' ? { authorization: `Bearer ${KEYS.cms}` } : { 'x-auth-token': KEYS.cms };
const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8'];

/** Percent-encodes every UTF-8 byte outside the unreserved set (lone surrogates become U+FFFD). */
export const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

const endpoint = fc.constantFrom<Endpoint>('native', 'dropin');
const chunked = fc.boolean();
/** a well-formed Idempotency-Key, or none: a refused request must leave no key behind */
const maybeIdempotencyKey = fc.option(fc.stringMatching(/^[A-Za-z0-9-]{1,40}$/), { nil: undefined })
  .map((k): Record<string, string> => (k === undefined ? {} : { 'idempotency-key': k }));

/** A bad JSON body, sent correctly otherwise; sometimes gzip- or deflate-compressed (validly). */
export const badJsonRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(endpoint, fc.constantFrom(...JSON_TYPES), fc.constantFrom('identity', 'gzip', 'deflate'), chunked, maybeIdempotencyKey)
  .chain(([ep, type, enc, ch, idem]) =>
    badJsonBytes(ep, FUZZ_CAPS.jsonBodyBytes).map((b) => ({
      why: `${ep} JSON: ${b.why}${enc === 'identity' ? '' : ` (${enc})`}`,
      method: 'POST',
      path: pathOf(ep),
      headers: { ...goodAuth(ep), 'content-type': type, ...(enc === 'identity' ? {} : { 'content-encoding': enc }), ...idem },
      body: enc === 'gzip' ? gzipSync(b.bytes) : enc === 'deflate' ? deflateSync(b.bytes) : b.bytes,
      chunked: ch,
    })),
  );

/** A bad text/plain upload to the native endpoint, with a good priority or none. */
export const badTextRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(badTextBytes(FUZZ_CAPS.textBodyBytes), fc.constantFrom('', '?priority=high', '?priority=low'), fc.constantFrom('text/plain', 'text/plain; charset=utf-8', 'TEXT/PLAIN;charset=us-ascii'), chunked, maybeIdempotencyKey)
  .map(([b, query, type, ch, idem]) => ({
    why: `text: ${b.why}`,
    method: 'POST',
    path: NATIVE_PATH + query,
    headers: { authorization: `Bearer ${KEYS.cms}`, 'content-type': type, ...idem },
    body: b.bytes,
    chunked: ch,
  }));

const otherString = (...avoid: string[]) => oddString(40).filter((s) => !avoid.includes(s));
const headerSafe = (s: string) => !/[^\t\x20-\x7e\x80-\xff]/.test(s);
/** a header value node:http will send, that is not `avoid` once trimmed */
const headerValue = (...avoid: string[]) =>
  fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 60 }), fc.string({ minLength: 256, maxLength: 400 }))
    .filter((s) => headerSafe(s) && !avoid.includes(s.trim()));

/** A good body whose headers are wrong: media type, charset, compression, Idempotency-Key. */
export const badHeaderRequest: fc.Arbitrary<FuzzRequest> = fc.tuple(endpoint, chunked).chain(([ep, ch]) => {
  const body = validJsonBody(ep).map((j) => Buffer.from(writeJson(j)));
  const req = (why: string, headers: Record<string, string>, b: Buffer): FuzzRequest =>
    ({ why: `${ep}: ${why}`, method: 'POST', path: pathOf(ep), headers: { ...goodAuth(ep), ...headers }, body: b, chunked: ch });
  const wrongType = fc.oneof(
    fc.constantFrom('', 'text/html', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-seq',
      'application/jsonx', 'json', ';', 'application/*', '*/*', 'application/json+x', 'application/ json'),
    headerValue().filter((t) => !/^\s*(application\/json|text\/plain)\s*(;|$)/i.test(t)),
  );
  const badCharset = fc.constantFrom('latin1', 'iso-8859-1', 'windows-1252', 'utf-16', 'utf-16le', 'UTF-16BE', 'utf-32', 'utf-7', 'ebcdic', 'koi8-r', 'x-unknown');
  return fc.oneof(
    fc.tuple(wrongType, body).map(([t, b]) => req(`content-type ${JSON.stringify(t)}`, t === '' ? {} : { 'content-type': t }, b)),
    fc.tuple(badCharset, body).map(([c, b]) => req(`charset ${c}`, { 'content-type': `application/json; charset=${c}` }, b)),
    fc.tuple(fc.constantFrom('gzip', 'deflate'), body, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([enc, b, at, flip]) => {
      // the checksum trailer (gzip: CRC-32 and length; zlib: Adler-32): a flip there is always
      // caught, while one in the data may land in the last byte's padding bits and change nothing
      const z = enc === 'gzip' ? gzipSync(b) : deflateSync(b);
      const trailer = enc === 'gzip' ? 8 : 4;
      const i = z.length - trailer + (at % trailer);
      z[i] = (z[i] ?? 0) ^ flip;
      return req(`corrupt ${enc} checksum`, { 'content-type': 'application/json', 'content-encoding': enc }, z);
    }),
    fc.tuple(fc.constantFrom('gzip', 'deflate'), body, fc.nat()).map(([enc, b, n]) => {
      const z = enc === 'gzip' ? gzipSync(b) : deflateSync(b);
      return req(`truncated ${enc}`, { 'content-type': 'application/json', 'content-encoding': enc }, z.subarray(0, n % z.length));
    }),
    fc.tuple(body, fc.uint8Array({ minLength: 0, maxLength: 64 })).map(([_b, junk]) =>
      req('gzip that is not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, Buffer.concat([Buffer.from('{"urls":'), Buffer.from(junk)]))),
    fc.tuple(fc.constantFrom('compress', 'x-gzip2', 'zstd', 'gzip, br, snappy', 'chunked'), body).map(([enc, b]) =>
      req(`content-encoding ${enc}`, { 'content-type': 'application/json', 'content-encoding': enc }, b)),
    fc.tuple(body, fc.integer({ min: 1, max: 8 })).map(([b, times]) => {
      // a small gzip that inflates far past the cap
      const padded = `${b.toString().slice(0, -1)}${' '.repeat(times * FUZZ_CAPS.jsonBodyBytes)}}`;
      return req('gzip bomb', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(padded));
    }),
    fc.tuple(fc.oneof(fc.string({ minLength: 256, maxLength: 300 }).filter((s) => headerSafe(s) && s.trim().length > 255),
      fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 }),
      fc.constant('')), body)
      .map(([k, b]) => req('bad Idempotency-Key', { 'content-type': 'application/json', 'idempotency-key': k }, b)),
    ...(ep === 'dropin' ? [fc.tuple(validTextBody).map(([b]) => req('text/plain on the drop-in', { 'content-type': 'text/plain' }, b))] : []),
  );
});

/** A good text upload with a bad query or headers: priority, charset, compression. */
export const badTextHeaderRequest: fc.Arbitrary<FuzzRequest> = fc.tuple(validTextBody, chunked).chain(([body, ch]) => {
  const req = (why: string, query: string, headers: Record<string, string>): FuzzRequest =>
    ({ why: `text: ${why}`, method: 'POST', path: NATIVE_PATH + query, headers: { authorization: `Bearer ${KEYS.cms}`, 'content-type': 'text/plain', ...headers }, body, chunked: ch });
  return fc.oneof(
    otherString('high', 'normal', 'low').map((p) => req(`priority ${JSON.stringify(p)}`, `?priority=${pct(p)}`, {})),
    fc.constantFrom('?priority=high&priority=low', '?priority=', '?priority=HIGH', '?priority=%20high', '?priority=high%00')
      .map((q) => req(`query ${q}`, q, {})),
    fc.constantFrom('latin1', 'utf-16', 'iso-8859-1', 'windows-1252', 'ebcdic').map((c) => req(`charset ${c}`, '', { 'content-type': `text/plain; charset=${c}` })),
    fc.constantFrom('gzip', 'deflate', 'br', 'identity, gzip').map((enc) => req(`content-encoding ${enc}`, '', { 'content-encoding': enc })),
  );
});

const WRONG_KEY = (...valid: string[]) => headerValue(...valid);
const BEARER_OF_A_KEY = new RegExp(`^Bearer[ \\t]+(${Object.values(KEYS).join('|')})[ \\t]*$`, 'i');

/** Credentials that are missing, unknown, malformed, AK/SK-signed, or two different keys. */
type Auth = { why: string; headers: Record<string, string> };
const badAuth: fc.Arbitrary<Auth> = fc.oneof<fc.Arbitrary<Auth>[]>(
  fc.constant({ why: 'no credentials', headers: {} }),
  headerValue().filter((v) => !BEARER_OF_A_KEY.test(v.trim())).map((v) => ({ why: 'bad Authorization', headers: { authorization: v } })),
  WRONG_KEY(...Object.values(KEYS)).map((k) => ({ why: 'unknown bearer key', headers: { authorization: `Bearer ${k}` } })),
  WRONG_KEY(...Object.values(KEYS)).map((k) => ({ why: 'unknown X-Auth-Token', headers: { 'x-auth-token': k } })),
  fc.constantFrom<Auth>(
    { why: 'Bearer and no key', headers: { authorization: 'Bearer' } },
    { why: 'Basic', headers: { authorization: `Basic ${Buffer.from(`cms:${KEYS.cms}`).toString('base64')}` } },
    { why: 'AK/SK', headers: { authorization: 'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=00' } },
    { why: 'key with a suffix', headers: { authorization: `Bearer ${KEYS.cms} extra` } },
    { why: 'two different keys', headers: { authorization: `Bearer ${KEYS.cms}`, 'x-auth-token': KEYS.sportsDesk } },
    { why: 'empty X-Auth-Token', headers: { 'x-auth-token': '' } },
  ),
);

/** Every route that takes credentials, reached with a good request apart from them. */
export const badAuthRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(badAuth, fc.constantFrom('native', 'dropin', 'status', 'items', 'results', 'budget'), validJsonBody('native'), validJsonBody('dropin'))
  .map(([auth, route, nativeBody, dropinBody]) => {
    const why = `${route}: ${auth.why}`;
    const json = { 'content-type': 'application/json', ...auth.headers };
    switch (route) {
      case 'native': { const b = Buffer.from(writeJson(nativeBody)); return { why, method: 'POST', path: NATIVE_PATH, headers: json, body: b }; }
      case 'dropin': { const b = Buffer.from(writeJson(dropinBody)); return { why, method: 'POST', path: DROPIN_PATH, headers: json, body: b }; }
      case 'status': return { why, method: 'GET', path: '/v1/refresh-requests/news.0123456789abcdef', headers: auth.headers };
      case 'items': return { why, method: 'GET', path: '/v1/refresh-requests/news.0123456789abcdef/items?limit=10', headers: auth.headers };
      case 'results': return { why, method: 'GET', path: '/v1/p1/asset/refresh?task_id=news.0123456789abcdef', headers: auth.headers };
      default: return { why, method: 'GET', path: '/v1/tenants/news/budget', headers: auth.headers };
    }
  });

/** %-escapes that do not decode (bad hex, cut or overlong UTF-8, encoded surrogates). */
const brokenEscape = fc.constantFrom('%', '%Z', '%ZZ', '%E0%A4', '%C0%AF', '%FF', '%ED%A0%80', '%%', '%0');
/** a path segment that names no tenant of the cms caller (never `news`, however it decodes) */
const notNews = fc.oneof(
  fc.constantFrom('sports', 'NEWS', 'news%20', 'News', '..', '.', 'news%00', '%6E%65%77%73%20'),
  otherString('news').map(pct),
  fc.tuple(fc.stringMatching(/^[a-z]{0,8}$/), brokenEscape, fc.stringMatching(/^[a-z]{0,8}$/)).map(([a, e, b]) => a + e + b),
  fc.integer({ min: 200, max: 20_000 }).map((n) => 'n'.repeat(n)),
);

/** A good body sent to a tenant, project or route the caller may not use or that does not exist. */
export const badTargetRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(validJsonBody('native'), validJsonBody('dropin'), notNews, fc.constantFrom('p2', 'p3', '', 'P1', 'p1%ZZ', 'p1%20', '%70%32'), chunked)
  .chain(([nativeBody, dropinBody, tenant, project, ch]) => {
    const nb = Buffer.from(writeJson(nativeBody));
    const db = Buffer.from(writeJson(dropinBody));
    const post = (why: string, path: string, headers: Record<string, string>, body: Buffer, method = 'POST'): FuzzRequest =>
      ({ why, method, path, headers: { 'content-type': 'application/json', ...headers }, body, chunked: ch });
    return fc.oneof(
      fc.constant(post(`tenant ${tenant.slice(0, 40)}`, `/v1/tenants/${tenant}/refresh-requests`, goodAuth('native'), nb)),
      fc.constant(post('the sports caller on news', NATIVE_PATH, { authorization: `Bearer ${KEYS.sportsDesk}` }, nb)),
      fc.constant(post(`project ${project}`, `/v1/${project}/asset/refresh`, goodAuth('dropin'), db)),
      // news on p1 is the one good pair; news on p2 is a tenant of another project
      fc.tuple(fc.constantFrom('sports', 'nope', '', 'NEWS', 'news,sports', 'news'), fc.constantFrom('p1', 'p2'))
        .filter(([t, p]) => !(t === 'news' && p === 'p1'))
        .map(([t, p]) => post(`X-Refresh-Tenant ${t} on ${p}`, `/v1/${p}/asset/refresh`, { ...goodAuth('dropin'), 'x-refresh-tenant': t }, db)),
      fc.constantFrom('PUT', 'PATCH', 'DELETE').map((m) => post(`${m} on the ingest route`, NATIVE_PATH, goodAuth('native'), nb, m)),
      fc.tuple(fc.array(otherString().map(pct), { minLength: 1, maxLength: 4 })).map(([segs]) => post('unknown route', `/v1/${segs.join('/')}`, goodAuth('native'), nb)),
      fc.constant(post('ingest path with a trailing segment', `${NATIVE_PATH}/x`, goodAuth('native'), nb)),
    );
  });

/** GETs with junk ids, tenants and queries; no request exists, so none can answer 200. */
export const badGetRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.oneof(fc.constantFrom('news.0123456789abcdef', 'sports.0123456789abcdef', 'news', '.', 'news.', '__proto__', 'constructor'), otherString().map(pct), brokenEscape),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom('cursor', 'limit', 'task_id', '__proto__', 'constructor', 'prototype', 'cursor[]', 'limit[a]'), otherString().map(pct)),
      fc.oneof(fc.constantFrom('', '0', '-1', '1.5', '1e3', '1001', '10001', '99999999999999999999', '0x10', '%201', 'NaN', '%ZZ'), otherString().map(pct))),
    { maxLength: 4 }),
    fc.constantFrom('status', 'items', 'results', 'budget'),
    notNews,
  )
  .map(([id, params, route, tenant]) => {
    const query = params.map(([k, v]) => `${k}=${v}`).join('&');
    const q = query ? `?${query}` : '';
    const why = `GET ${route} ${id.slice(0, 30)} ${q.slice(0, 60)}`;
    switch (route) {
      case 'status': return { why, method: 'GET', path: `/v1/refresh-requests/${id}${q}`, headers: goodAuth('native') };
      case 'items': return { why, method: 'GET', path: `/v1/refresh-requests/${id}/items${q}`, headers: goodAuth('native') };
      case 'results': return { why, method: 'GET', path: `/v1/p1/asset/refresh${q}`, headers: goodAuth('dropin') };
      default: return { why: `GET budget ${tenant.slice(0, 30)}`, method: 'GET', path: `/v1/tenants/${tenant}/budget${q}`, headers: goodAuth('native') };
    }
  });
