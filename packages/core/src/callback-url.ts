/**
 * Which completion-webhook URLs a caller may name. The allowlist in the config is the only
 * control: a URL whose host (and port) no entry matches is refused at submission and again at
 * send time, so the service never calls an address the operator did not list.
 *
 * An entry is `host`, `host:port`, `[ipv6]` or `[ipv6]:port`, optionally `*.host` for any
 * subdomain (never the host itself, never an IP). Without a port an entry allows only the
 * scheme's default port (80 / 443), so listing a host does not open its other services.
 */
export interface HostPattern {
  wildcard: boolean;
  /** canonical, as WHATWG URL writes a hostname (lower case, IPv4 in dotted decimal, punycode) */
  host: string;
  port: number | null;
}

/** URLs longer than this are refused: a callback needs no more, and it is stored per request */
export const MAX_CALLBACK_URL_LENGTH = 2048;

const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 };

const isIp = (host: string) => host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(host);

/** Parses an allowlist entry; a string is the reason it is not one. */
export function parseHostPattern(entry: string): HostPattern | string {
  const text = entry.trim().toLowerCase();
  if (text.includes('://')) return `"${entry}": write a host, not a URL (no scheme)`;
  if (/[/?#@\s\\]/.test(text)) return `"${entry}": only host or host:port is allowed`;
  const wildcard = text.startsWith('*.');
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]*]+)(?::(\d{1,5}))?$/.exec(wildcard ? text.slice(2) : text);
  if (!m?.[1]) return `"${entry}": not a host or host:port`;
  const port = m[2] === undefined ? null : Number(m[2]);
  if (port !== null && (port < 1 || port > 65535)) return `"${entry}": port must be 1-65535`;
  let host: string;
  try {
    host = new URL(`http://${m[1]}/`).hostname;
  } catch {
    return `"${entry}": not a valid host name`;
  }
  if (wildcard && isIp(host)) return `"${entry}": a wildcard cannot cover IP addresses`;
  return { wildcard, host, port };
}

function matches(p: HostPattern, host: string, port: number, defaultPort: number): boolean {
  if ((p.port ?? defaultPort) !== port) return false;
  if (!p.wildcard) return p.host === host;
  return !isIp(host) && host.endsWith(`.${p.host}`);
}

/**
 * Why `raw` may not be used as a callback under `allowedHosts`, or null when it may.
 * Entries that do not parse match nothing (the config refuses them at start-up anyway).
 */
export function callbackUrlProblem(raw: string, allowedHosts: readonly string[]): string | null {
  if (raw.length > MAX_CALLBACK_URL_LENGTH) return `callback_url is longer than ${MAX_CALLBACK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'callback_url must be an absolute http(s) URL';
  }
  const defaultPort = DEFAULT_PORT[url.protocol];
  if (defaultPort === undefined || !url.hostname) return 'callback_url must be an absolute http(s) URL';
  if (url.username || url.password) return 'callback_url must not carry a user name or password';
  const port = url.port ? Number(url.port) : defaultPort;
  const allowed = allowedHosts.some((entry) => {
    const p = parseHostPattern(entry);
    return typeof p !== 'string' && matches(p, url.hostname, port, defaultPort);
  });
  return allowed ? null : `callback_url host ${url.host} is not in the caller's webhook allowlist`;
}
