import { SECRET_FIELDS } from '@refresh/config';

/**
 * What no exported span may carry, applied to every span as it ends (ScrubbingProcessor), so it
 * holds for the instrumentations' attributes as for ours: the log redaction's secret field
 * names (any attribute whose name contains one is censored), and the query string and user
 * info of every URL (a callback URL's token, a signed URL's signature, a status query). Paths
 * stay, as in the request log: they carry ids, never items.
 */
export const TRACE_CENSOR = '[redacted]';

/** attribute names that hold a URL, or the part of one after its path */
const URL_ATTRIBUTES = new Set(['url.full', 'http.url', 'http.target', 'url.original']);
const QUERY_ATTRIBUTES = new Set(['url.query']);

const secretWords = SECRET_FIELDS.map((f) => f.toLowerCase());

/** a URL's user info, query and fragment, wherever a URL sits in a string */
const URL_TAIL = /(\b[a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#@]*@)?([^\s?#"']*)[?#][^\s"']*/gi;

export function stripUrls(value: string): string {
  return value.replace(URL_TAIL, (_m, scheme: string, rest: string) => `${scheme}${rest}`);
}

/** The attribute as it may be exported. */
export function scrubAttribute(key: string, value: unknown): unknown {
  const name = key.toLowerCase();
  if (secretWords.some((w) => name.includes(w))) return TRACE_CENSOR;
  if (typeof value !== 'string') return value;
  if (QUERY_ATTRIBUTES.has(name)) return value === '' ? value : TRACE_CENSOR;
  if (URL_ATTRIBUTES.has(name)) return stripUrls(value).split(/[?#]/)[0];
  return stripUrls(value);
}

export function scrubAttributes<T extends Record<string, unknown>>(attributes: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attributes)) out[k] = scrubAttribute(k, v);
  return out as T;
}
