import fc from 'fast-check';
import { obj, writeJson, type Json } from './json-text';

/**
 * Request bodies for the API fuzzer. Each `bad…` arbitrary is bad BY CONSTRUCTION (a known
 * defect is put in on purpose), never by filtering with the code under test, so that an
 * answer other than 4xx is the API's fault. `valid…` arbitraries are the base the defects are
 * applied to; a control test checks that they are accepted.
 */

export type Endpoint = 'native' | 'dropin';
/** the two item fields of each endpoint's JSON body */
export const FIELDS: Record<Endpoint, { assets: string; urls: string }> = {
  native: { assets: 'asset_ids', urls: 'urls' },
  dropin: { assets: 'asset_id_list', urls: 'urls' },
};
const PRIORITIES = ['high', 'normal', 'low'] as const;

// --- characters ----------------------------------------------------------------------------

/** Whitespace and controls, Unicode's included; none may appear in an item. */
const FORBIDDEN_IN_ITEMS = [
  ' ', '\t', '\v', '\f', '\u0000', '\u0001', '\u001b', '\u001f', '\u007f', '\u0085', '\u00a0',
  '\u1680', '\u2000', '\u2028', '\u2029', '\u3000',
] as const;
/**
 * Lone surrogates are not Unicode: no UTF-8 can carry one, so an item holding one could not be
 * stored or sent as it was asked for. A JSON body can spell one (\ud800); a text upload cannot
 * (UTF-8 turns it into U+FFFD, an ordinary character), so they are bad in JSON items only.
 */
const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'] as const;
/** …and the two that also end a line of a text upload */
const LINE_BREAKS = ['\n', '\r'] as const;
/** Odd but harmless in a JSON string; used for junk values. */
const ODD_CHARS = [...FORBIDDEN_IN_ITEMS, ...LONE_SURROGATES, ...LINE_BREAKS, '\u200b', '\ufeff', '\u202e', '\ufffd', '"', '\\', '%', '/', '#', '?', '@', ':', '\u{1f600}'];

const oddChar = fc.oneof(fc.constantFrom(...ODD_CHARS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
export const oddString = (maxLength = 24) => fc.string({ unit: oddChar, maxLength });
/** long values: with the test config's small caps, most of these are over the body cap (413) */
const longString = fc.tuple(fc.constantFrom('x', 'é', '\u{1f600}', '\u0000'), fc.integer({ min: 65, max: 12_000 })).map(([c, n]) => c.repeat(n));

// --- items ---------------------------------------------------------------------------------

export const goodAssetId = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
export const goodUrl = fc
  .tuple(fc.constantFrom('http', 'https', 'HTTPS'), fc.domain(), fc.array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/), { maxLength: 4 }), fc.boolean())
  .map(([scheme, host, segments, query]) => `${scheme}://${host}/${segments.join('/')}${query ? '?v=1' : ''}`);

const insertAt = (s: string, at: number, piece: string) => {
  const i = at % (s.length + 1);
  return s.slice(0, i) + piece + s.slice(i);
};

/** An asset id that breaks a rule: empty, over 64 characters, or a character outside [A-Za-z0-9_-]. */
export function badAssetId(opts: { forText?: boolean } = {}): fc.Arbitrary<string> {
  const outside = opts.forText
    ? fc.constantFrom(...FORBIDDEN_IN_ITEMS, '.', ':', '/', '\u00e9', '+', '"', '{')
    : fc.constantFrom(...FORBIDDEN_IN_ITEMS, ...LONE_SURROGATES, ...LINE_BREAKS, '.', ':', '/', '\u00e9', '+', '"', '{');
  const arbs: Array<fc.Arbitrary<string>> = [
    fc.stringMatching(/^[A-Za-z0-9_-]{65,200}$/),
    fc.tuple(goodAssetId, outside, goodAssetId).map(([a, c, b]) => a + c + b),
  ];
  // an empty line of a text upload is skipped, not refused
  if (!opts.forText) arbs.push(fc.constant(''));
  return fc.oneof(...arbs);
}

/** A URL that breaks a rule: scheme, host, whitespace/controls/lone surrogates, backslash, length. */
export function badUrl(opts: { forText?: boolean } = {}): fc.Arbitrary<string> {
  const forbidden = opts.forText ? fc.constantFrom(...FORBIDDEN_IN_ITEMS) : fc.constantFrom(...FORBIDDEN_IN_ITEMS, ...LONE_SURROGATES, ...LINE_BREAKS);
  const arbs: Array<fc.Arbitrary<string>> = [
    goodUrl.map((u) => u.replace(/^https?:\/\//i, '')),
    fc.tuple(fc.constantFrom('ftp://', 'file://', 'javascript:', 'data:text/plain,', 'HTTP:/', 'http:', 'ws://', '//'), goodUrl)
      .map(([s, u]) => s + u.replace(/^https?:\/\//i, '')),
    // after the scheme, so the insertion cannot rename the scheme itself
    fc.tuple(goodUrl, fc.nat(), forbidden).map(([u, at, c]) => u.slice(0, 8) + insertAt(u.slice(8), at, c)),
    fc.constantFrom('https:///no-host', 'http://?x=1', 'http://#f', 'https://', 'http://[::1/x', 'http://a:99999/', 'https://exa mple.com/'),
    fc.tuple(goodUrl, goodAssetId).map(([u, seg]) => `${u.replace(/\?.*$/, '')}\\${seg}`),
    fc.integer({ min: 1, max: 200 }).map((extra) => `https://cdn.example.com/${'a'.repeat(10_240 - 24 + extra)}`),
  ];
  if (!opts.forText) arbs.push(fc.constant(''));
  return fc.oneof(...arbs);
}

// --- JSON bodies ---------------------------------------------------------------------------

/** A body the endpoint accepts: at least one good item, maybe a priority. */
export function validJsonBody(ep: Endpoint): fc.Arbitrary<Json> {
  const f = FIELDS[ep];
  return fc
    .record({
      assets: fc.array(goodAssetId, { maxLength: 6 }),
      urls: fc.array(goodUrl, { maxLength: 6 }),
      priority: fc.option(fc.constantFrom(...PRIORITIES), { nil: undefined }),
    })
    .filter((b) => b.assets.length + b.urls.length > 0)
    .map((b) =>
      obj([
        ...(b.assets.length > 0 ? [[f.assets, b.assets] as const] : []),
        ...(b.urls.length > 0 ? [[f.urls, b.urls] as const] : []),
        ...(b.priority !== undefined ? [['priority', b.priority] as const] : []),
      ]),
    );
}

const toJson = (v: unknown): Json => {
  if (v === null || typeof v !== 'object') return v as Json;
  if (Array.isArray(v)) return v.map(toJson);
  return obj(Object.entries(v).map(([k, x]) => [k, toJson(x)] as const));
};
/** Objects that would pollute a prototype if a parser or merge copied them naively. */
const polluter: fc.Arbitrary<Json> = fc.constantFrom<Json>(
  obj([['__proto__', obj([['polluted', 'yes']])]]),
  obj([['constructor', obj([['prototype', obj([['polluted', 'yes']])]])]]),
  obj([['prototype', obj([['polluted', 'yes']])]]),
  obj([['__proto__', obj([['toString', 'x'], ['hasOwnProperty', 1]])]]),
);
const deepNest = fc.integer({ min: 2, max: 600 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as Json);

/** Anything at all: used where a field's value must be of the wrong kind or a key unknown. */
export const junkValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map(toJson),
  polluter,
  deepNest,
  oddString(),
  longString,
  fc.constantFrom<Json>(null, true, false, 0, -1, 1e308, -0.5, '', [], obj([])),
);
/** Keys no body may carry. */
const unknownKey = (ep: Endpoint) => {
  const known = new Set([FIELDS[ep].assets, FIELDS[ep].urls, 'priority']);
  return fc
    .oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'toString', 'hasOwnProperty', 'URLS', 'Priority', 'asset_ids ', 'task_id',
        ep === 'native' ? 'asset_id_list' : 'asset_ids'),
      oddString(),
    )
    .filter((k) => !known.has(k));
};

export interface BadJson {
  why: string;
  json: Json;
}

/** A JSON value the endpoint must refuse with 400 (or 413 when it is over the cap). */
export function badJsonValue(ep: Endpoint): fc.Arbitrary<BadJson> {
  const f = FIELDS[ep];
  const withEntry = (base: Json, key: string, value: Json, at: number): Json => {
    const entries = [...(base as { entries: ReadonlyArray<readonly [string, Json]> }).entries].filter(([k]) => k !== key);
    entries.splice(at % (entries.length + 1), 0, [key, value]);
    return obj(entries);
  };
  const itemsWith = (good: fc.Arbitrary<string>, bad: fc.Arbitrary<Json>) =>
    fc.tuple(fc.array(good, { maxLength: 30 }), fc.array(bad, { minLength: 1, maxLength: 3 }), fc.nat()).map(([goods, bads, at]) => {
      const list: Json[] = [...goods];
      for (const b of bads) list.splice((at + list.length) % (list.length + 1), 0, b);
      return list;
    });
  const notAString = junkValue.filter((v) => typeof v !== 'string');
  const notAPriority = junkValue.filter((v) => !(PRIORITIES as readonly Json[]).includes(v));

  return fc.oneof(
    fc.tuple(validJsonBody(ep), unknownKey(ep), junkValue, fc.nat()).map(([b, k, v, at]) => ({ why: `unknown key ${JSON.stringify(k)}`, json: withEntry(b, k, v, at) })),
    fc.tuple(validJsonBody(ep), fc.constantFrom(f.assets, f.urls), notAString.filter((v) => !Array.isArray(v)), fc.nat())
      .map(([b, k, v, at]) => ({ why: `${k} is not an array`, json: withEntry(b, k, v, at) })),
    fc.tuple(validJsonBody(ep), itemsWith(goodAssetId, notAString), fc.nat()).map(([b, v, at]) => ({ why: `${f.assets} holds a non-string`, json: withEntry(b, f.assets, v, at) })),
    fc.tuple(validJsonBody(ep), notAPriority, fc.nat()).map(([b, v, at]) => ({ why: 'bad priority', json: withEntry(b, 'priority', v, at) })),
    fc.tuple(validJsonBody(ep), itemsWith(goodAssetId, badAssetId()), fc.nat()).map(([b, v, at]) => ({ why: 'a bad asset id', json: withEntry(b, f.assets, v, at) })),
    fc.tuple(validJsonBody(ep), itemsWith(goodUrl, badUrl()), fc.nat()).map(([b, v, at]) => ({ why: 'a bad url', json: withEntry(b, f.urls, v, at) })),
    fc.tuple(fc.array(fc.oneof(badAssetId(), badUrl()), { minLength: 20, maxLength: 300 }), fc.constantFrom(f.assets, f.urls))
      .map(([bads, k]) => ({ why: `${bads.length} bad items`, json: obj([[k, bads]]) })),
    fc.constantFrom<BadJson>(
      { why: 'no items', json: obj([]) },
      { why: 'no items', json: obj([[f.assets, []], [f.urls, []]]) },
      { why: 'no items', json: obj([['priority', 'high']]) },
      { why: 'no items', json: obj([[f.urls, []], ['priority', 'low']]) },
    ),
    junkValue.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((json) => ({ why: 'root is not an object', json })),
    fc.tuple(validJsonBody(ep), polluter, fc.nat()).map(([b, p, at]) => ({
      why: 'prototype keys at the root',
      json: obj([...(b as { entries: Array<readonly [string, Json]> }).entries.slice(0, at % 3), ...(p as { entries: Array<readonly [string, Json]> }).entries, ...(b as { entries: Array<readonly [string, Json]> }).entries.slice(at % 3)]),
    })),
  );
}

export interface BadBytes {
  why: string;
  bytes: Buffer;
}
const RAW_CONTROLS = fc.integer({ min: 0, max: 0x1f }).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d);
/** Bytes that are never UTF-8: stray continuation bytes, overlong forms, surrogates, 0xFE/0xFF. */
const NOT_UTF8 = fc.constantFrom([0xff], [0xfe], [0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3]);
const spliceBytes = (buf: Buffer, at: number, piece: Buffer) => {
  const i = at % (buf.length + 1);
  return Buffer.concat([buf.subarray(0, i), piece, buf.subarray(i)]);
};

/** Body bytes an application/json endpoint must refuse: bad values, broken JSON text, bad UTF-8, too big. */
export function badJsonBytes(ep: Endpoint, capBytes: number): fc.Arbitrary<BadBytes> {
  const text = (j: Json) => Buffer.from(writeJson(j), 'utf8');
  return fc.oneof(
    { weight: 4, arbitrary: badJsonValue(ep).map((b) => ({ why: b.why, bytes: text(b.json) })) },
    // a strict prefix of an object's text is never a whole object (no trailing whitespace)
    fc.tuple(fc.oneof(validJsonBody(ep), badJsonValue(ep).map((b) => b.json)), fc.nat())
      .filter(([j]) => j !== null && typeof j === 'object' && !Array.isArray(j))
      .map(([j, n]) => {
        const full = text(j);
        return { why: 'truncated JSON', bytes: full.subarray(0, n % full.length) };
      }),
    fc.tuple(validJsonBody(ep), RAW_CONTROLS, fc.nat()).map(([j, c, at]) => ({ why: `raw control 0x${c.toString(16)}`, bytes: spliceBytes(text(j), at, Buffer.from([c])) })),
    fc.tuple(validJsonBody(ep), NOT_UTF8, fc.nat()).map(([j, b, at]) => ({ why: `bytes ${b.join(',')} that are not UTF-8`, bytes: spliceBytes(text(j), at, Buffer.from(b)) })),
    fc.tuple(validJsonBody(ep), fc.integer({ min: 1, max: 3 * capBytes })).map(([j, extra]) => {
      const body = writeJson(j);
      return { why: 'over the JSON cap', bytes: Buffer.from(body.slice(0, -1) + ' '.repeat(capBytes - body.length + extra) + '}') };
    }),
    fc.constantFrom<BadBytes>(
      { why: 'empty body', bytes: Buffer.alloc(0) },
      { why: 'two JSON documents', bytes: Buffer.from('{"urls":["https://cdn.example.com/a"]}{"urls":[]}') },
      { why: 'NaN', bytes: Buffer.from('{"urls":["https://cdn.example.com/a"],"priority":NaN}') },
      { why: 'single quotes', bytes: Buffer.from("{'urls':['https://cdn.example.com/a']}") },
      { why: 'trailing comma', bytes: Buffer.from('{"urls":["https://cdn.example.com/a"],}') },
      { why: 'comment', bytes: Buffer.from('{"urls":["https://cdn.example.com/a"]} // hi') },
      { why: 'lone surrogate escape in a url', bytes: Buffer.from('{"urls":["https://cdn.example.com/a\\ud800b"]}') },
    ),
  );
}

// --- text/plain bodies ---------------------------------------------------------------------

const goodLine = fc.oneof(goodAssetId, goodUrl);
const eol = fc.constantFrom('\n', '\r\n');
const lines = (ls: string[], end: string, last: boolean) => ls.join(end) + (last ? end : '');

export const validTextBody = fc
  .tuple(fc.array(goodLine, { minLength: 1, maxLength: 20 }), eol, fc.boolean())
  .map(([ls, end, last]) => Buffer.from(lines(ls, end, last), 'utf8'));

/** A text upload the endpoint must refuse: a bad line among good ones, bytes not UTF-8, no items, too big. */
export function badTextBytes(capBytes: number): fc.Arbitrary<BadBytes> {
  const badLine = fc.oneof(badAssetId({ forText: true }), badUrl({ forText: true }));
  return fc.oneof(
    { weight: 4, arbitrary: fc
      .tuple(fc.array(goodLine, { maxLength: 40 }), fc.array(badLine, { minLength: 1, maxLength: 3 }), fc.nat(), eol, fc.boolean())
      .map(([goods, bads, at, end, last]) => {
        const ls = [...goods];
        for (const b of bads) ls.splice((at + ls.length) % (ls.length + 1), 0, b);
        return { why: `${bads.length} bad lines`, bytes: Buffer.from(lines(ls, end, last), 'utf8') };
      }) },
    fc.tuple(validTextBody, NOT_UTF8, fc.nat()).map(([b, bad, at]) => ({ why: 'bytes that are not UTF-8', bytes: spliceBytes(b, at, Buffer.from(bad)) })),
    fc.array(eol, { maxLength: 20 }).map((ends) => ({ why: 'no items', bytes: Buffer.from(ends.join('')) })),
    fc.tuple(validTextBody, fc.integer({ min: 1, max: 3 * capBytes })).map(([b, extra]) => ({
      why: 'over the text cap',
      bytes: Buffer.concat([b, Buffer.from('\n'.repeat(Math.max(0, capBytes - b.length) + extra))]),
    })),
  );
}
