/**
 * What callers may ask us to refresh, and the limits Huawei VOD puts on each item.
 * Validators return a short human reason instead of throwing, so ingest can report
 * every bad line of an upload at once rather than stopping at the first.
 */

export type ItemKind = 'asset_id' | 'url';
export const ITEM_KINDS: readonly ItemKind[] = ['asset_id', 'url'];

export type Priority = 'high' | 'normal' | 'low';
/** Dispatch order: earlier entries are sent first. */
export const PRIORITIES: readonly Priority[] = ['high', 'normal', 'low'];

/** Upstream rejects longer URLs. Counted as JavaScript string length (UTF-16 units). */
export const MAX_URL_LENGTH = 10240;
/** Upstream accepts at most this many items of one kind per refresh call. */
export const MAX_ITEMS_PER_CALL = 10;
export const MAX_ASSET_ID_LENGTH = 64;

const ASSET_ID_CHARS = /^[A-Za-z0-9_-]+$/;
// \s covers Unicode spaces and line terminators (U+2028/2029, U+3000, ...); \p{Cc} adds every
// C0/C1 control including U+0085, which \s misses; White_Space is the belt to those braces.
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}\p{White_Space}]/u;
// With the u flag \p{Cs} matches only a surrogate that is not half of a pair. Such a string is
// not Unicode: UTF-8 cannot carry it, so Redis would store (and VOD be sent) U+FFFD instead of
// what the caller asked for. Only a JSON body can spell one ("\ud800").
const LONE_SURROGATE = /\p{Cs}/u;
// Checked on the raw string: WHATWG would also accept "http:example.com" or "HTTP:/x", but the
// normaliser splits on "://" and must see the same authority the parser saw.
const HTTP_PREFIX = /^https?:\/\//i;

export function validateAssetId(s: string): string | null {
  if (s.length === 0) return 'asset id is empty';
  if (s.length > MAX_ASSET_ID_LENGTH) return `asset id is longer than ${MAX_ASSET_ID_LENGTH} characters`;
  if (!ASSET_ID_CHARS.test(s)) return 'asset id may contain only letters, digits, "_" and "-"';
  return null;
}

export function validateUrl(s: string): string | null {
  if (s.length === 0) return 'url is empty';
  if (s.length > MAX_URL_LENGTH) return `url is longer than ${MAX_URL_LENGTH} characters`;
  if (WHITESPACE_OR_CONTROL.test(s)) return 'url contains whitespace or control characters';
  if (LONE_SURROGATE.test(s)) return 'url is not valid Unicode (a lone surrogate)';
  if (!HTTP_PREFIX.test(s)) return 'url must be absolute and start with http:// or https://';
  // canParse, not new URL: no object for each of a million lines. A URL of http(s) that parses
  // has a host: WHATWG refuses an empty one for these schemes.
  if (!URL.canParse(s)) return 'url is not a valid URL';
  // WHATWG skips extra slashes ("https:///host/p" is https://host/p); the raw authority must
  // hold the host itself, or the normaliser would see an empty one.
  if (/^https?:\/\/[/?#]/i.test(s)) return 'url has no host';
  // WHATWG reads "\" as "/" before the query in http(s) URLs; we keep the raw string, so a
  // backslash there would make our host or path differ from what every parser sees.
  if (s.includes('\\') && beforeQuery(s).includes('\\')) return 'url contains a backslash before the query';
  return null;
}

export function validateItem(kind: ItemKind, value: string): string | null {
  return kind === 'asset_id' ? validateAssetId(value) : validateUrl(value);
}

/** For text/plain uploads, one item a line: asset ids can never contain "://". */
export function classifyLine(line: string): ItemKind {
  return line.includes('://') ? 'url' : 'asset_id';
}

function beforeQuery(s: string): string {
  const end = s.search(/[?#]/);
  return end === -1 ? s : s.slice(0, end);
}
