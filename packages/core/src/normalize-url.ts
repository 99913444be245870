import { AppError, ERROR_CODES } from './errors';
import type { ItemKind } from './items';

// lower-case http(s), a lower-case host name of no userinfo and no port, then the path, the query or nothing
const ALREADY_NORMAL = /^https?:\/\/[a-z0-9.-]+(?:[/?]|$)/;

/**
 * Two spellings of one URL should cost one refresh. We lower-case what is case-insensitive
 * (scheme, host), drop what the CDN never sees (default port, fragment), and leave path and
 * query exactly as sent: caches key on those bytes, so "%7E" and "~" may be different objects.
 * That is why this works on the raw string: WHATWG URL would re-encode path and query.
 *
 * Expects a URL that passed validateUrl. Idempotent: normalizeUrl(normalizeUrl(u)) === normalizeUrl(u).
 */
export function normalizeUrl(url: string): string {
  // The usual URL is normal already: the string itself, found by one regex test rather than taken
  // apart and put together again (a worker normalises every line of a million-line upload).
  if (ALREADY_NORMAL.test(url) && !url.includes('#')) return url;
  const head = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (head === null || head[1] === undefined) {
    throw new AppError(ERROR_CODES.INVALID_REQUEST, 'not an absolute URL with "://"');
  }
  const scheme = head[1].toLowerCase();
  const rest = url.slice(head[0].length);

  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  const fragmentAt = tail.indexOf('#');
  const pathAndQuery = fragmentAt === -1 ? tail : tail.slice(0, fragmentAt);

  // The last "@" ends the userinfo, as in WHATWG; userinfo is case-sensitive, so kept as is.
  const at = authority.lastIndexOf('@');
  const userinfo = authority.slice(0, at + 1);
  const { host, port } = splitHostPort(authority.slice(at + 1));

  return `${scheme}://${userinfo}${host.toLowerCase()}${normalizePort(scheme, port)}${pathAndQuery}`;
}

/** Dedup key for an already-normalised value; the prefix keeps an asset id and a URL apart. */
export function itemKey(kind: ItemKind, normalizedValue: string): string {
  return (kind === 'asset_id' ? 'a:' : 'u:') + normalizedValue;
}

export function parseItemKey(key: string): { kind: ItemKind; value: string } | null {
  if (key.startsWith('a:')) return { kind: 'asset_id', value: key.slice(2) };
  if (key.startsWith('u:')) return { kind: 'url', value: key.slice(2) };
  return null;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

function splitHostPort(hostPort: string): { host: string; port: string | null } {
  // An IPv6 literal is bracketed and full of ":", so the port can only follow "]".
  const colon = hostPort.startsWith('[')
    ? hostPort.indexOf(':', hostPort.indexOf(']'))
    : hostPort.lastIndexOf(':');
  if (colon === -1) return { host: hostPort, port: null };
  return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

function normalizePort(scheme: string, port: string | null): string {
  // "http://h:" means the default port, as does an explicit one.
  if (port === null || port === '') return '';
  // Leading zeros are spelling, not meaning ("0080" is 80), and WHATWG agrees.
  const canonical = /^\d+$/.test(port) ? String(Number(port)) : port;
  return canonical === DEFAULT_PORTS[scheme] ? '' : `:${canonical}`;
}
