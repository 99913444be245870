import fc from 'fast-check';
import { validateUrl } from './items';
import { itemKey, normalizeUrl, parseItemKey } from './normalize-url';

describe('normalizeUrl', () => {
  it.each([
    ['HTTP://Example.COM:80/A%2fb/../c?Q=1&b=%7E#frag', 'http://example.com/A%2fb/../c?Q=1&b=%7E'],
    ['https://EXAMPLE.com:443/x', 'https://example.com/x'],
    ['http://example.com:443/x', 'http://example.com:443/x'],
    ['https://example.com:80/x', 'https://example.com:80/x'],
    ['http://example.com:8080/x', 'http://example.com:8080/x'],
    ['http://example.com:0080/x', 'http://example.com/x'],
    ['http://example.com:/x', 'http://example.com/x'],
    ['http://Example.com', 'http://example.com'],
    ['http://Example.com?Q=A', 'http://example.com?Q=A'],
    ['http://Example.com#Top', 'http://example.com'],
    ['http://example.com/a#b?c', 'http://example.com/a'],
    ['http://User:PassWord@Example.com:80/p', 'http://User:PassWord@example.com/p'],
    ['http://u:p@ss@Example.com/p', 'http://u:p@ss@example.com/p'],
    ['http://[2001:DB8::1]:80/p', 'http://[2001:db8::1]/p'],
    ['http://[2001:DB8::1]:8080/p', 'http://[2001:db8::1]:8080/p'],
    ['http://[::1]/p', 'http://[::1]/p'],
    ['https://example.com/%7e/~/%7E?a=%20&a=+', 'https://example.com/%7e/~/%7E?a=%20&a=+'],
    ['https://example.com/路径?q=值', 'https://example.com/路径?q=值'],
  ])('when normalising %s, then it becomes %s', (input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });

  it('when the input has no "scheme://", then it throws rather than guess', () => {
    expect(() => normalizeUrl('example.com/path')).toThrow(/absolute/);
  });

  it('when normalised twice, then the result does not change (any valid url)', () => {
    fc.assert(
      fc.property(validUrlArb(), (url) => {
        const once = normalizeUrl(url);
        expect(normalizeUrl(once)).toBe(once);
        // Normalising must not turn a valid url into an invalid one.
        expect(validateUrl(once)).toBeNull();
      }),
    );
  });

  it('when a valid url is normalised, then a WHATWG parser still sees the same host, port and userinfo', () => {
    // Tricky characters for authority splitting, so "@", ":", "[" and "\\" land everywhere.
    const chars = fc.constantFrom(...'aA:/@?#[]%.\\019-_~'.split(''));
    fc.assert(
      fc.property(fc.constantFrom('http://', 'HTTPS://'), fc.string({ unit: chars, maxLength: 25 }), (prefix, rest) => {
        const url = prefix + rest;
        fc.pre(validateUrl(url) === null);
        const [before, after] = [new URL(url), new URL(normalizeUrl(url))];
        expect([after.host, after.username, after.password]).toEqual([before.host, before.username, before.password]);
      }),
      { numRuns: 300 },
    );
  });

  it('when a url is normal already (lower-case scheme and host, no port, userinfo or fragment), then it comes back unchanged', () => {
    fc.assert(
      fc.property(fc.constantFrom('http', 'https'), fc.domain(), fc.webPath(), fc.option(fc.webQueryParameters(), { nil: undefined }), (scheme, host, path, query) => {
        const url = `${scheme}://${host}${path}${query === undefined ? '' : `?${query}`}`;
        fc.pre(validateUrl(url) === null);
        expect(normalizeUrl(url)).toBe(url);
      }),
    );
  });

  it('when two urls differ only in case of scheme/host, default port or fragment, then they normalise alike', () => {
    fc.assert(
      fc.property(fc.domain(), fc.webPath(), fc.boolean(), fc.webFragments(), (host, path, https, fragment) => {
        const scheme = https ? 'https' : 'http';
        const port = https ? 443 : 80;
        const plain = `${scheme}://${host}${path}`;
        const noisy = `${scheme.toUpperCase()}://${host.toUpperCase()}:${port}${path}#${fragment}`;
        expect(normalizeUrl(noisy)).toBe(normalizeUrl(plain));
      }),
    );
  });
});

describe('normalizeUrl on odd but valid urls', () => {
  // Every part drawn from characters that stress the raw-string splitting: Unicode letters whose
  // case mapping is unusual (Turkish İ, the Kelvin sign, ß), %-escapes, and "@", ":", "[", "?"
  // and "#" where they are legal but easy to misread.
  const soup = (chars: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...chars), maxLength });
  const oddUrlArb = fc
    .record({
      scheme: fc.constantFrom('http', 'HTTP', 'https', 'HtTpS'),
      userinfo: fc.option(soup('aZ09%:;=!$é', 8), { nil: undefined }),
      host: fc.oneof(
        soup('aZ09-.İKßéÉ', 12).filter((h) => h.length > 0),
        fc.constantFrom('[::1]', '[::FFFF:127.0.0.1]', '[2001:db8::1]', '127.0.0.1', '0x7f.1', 'EXAMPLE.COM.', 'xn--bcher-kva.example'),
      ),
      port: fc.constantFrom('', ':', ':0', ':080', ':80', ':443', ':00443', ':65535'),
      path: soup('/aZ09%@:;=.~!$&()*+,éİ[]', 20),
      query: fc.option(soup('aZ09%@:/?=&.~éİ[]', 16), { nil: undefined }),
      fragment: fc.option(soup('aZ09%@:/?#=&', 10), { nil: undefined }),
    })
    .map(({ scheme, userinfo, host, port, path, query, fragment }) =>
      `${scheme}://${userinfo === undefined ? '' : `${userinfo}@`}${host}${port}${path.startsWith('/') || path === '' ? path : `/${path}`}` +
      `${query === undefined ? '' : `?${query}`}${fragment === undefined ? '' : `#${fragment}`}`,
    )
    .filter((url) => validateUrl(url) === null);

  it('when an odd url is normalised twice, then the result does not change and is still valid', () => {
    fc.assert(
      fc.property(oddUrlArb, (url) => {
        const once = normalizeUrl(url);
        expect(normalizeUrl(once)).toBe(once);
        expect(validateUrl(once)).toBeNull();
      }),
      { numRuns: 2_000 },
    );
  });

  it('when an odd url is normalised, then a WHATWG parser reads the same url, less its fragment', () => {
    fc.assert(
      fc.property(oddUrlArb, (url) => {
        const before = new URL(url);
        before.hash = '';
        expect(new URL(normalizeUrl(url)).href).toBe(before.href);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('itemKey', () => {
  it('when an asset id and a url have the same text, then their keys differ', () => {
    expect(itemKey('asset_id', 'abc')).toBe('a:abc');
    expect(itemKey('url', 'abc')).toBe('u:abc');
  });

  it('when a key is parsed, then it gives back kind and value (colons in the value included)', () => {
    expect(parseItemKey('u:http://example.com/a:b')).toEqual({ kind: 'url', value: 'http://example.com/a:b' });
    expect(parseItemKey('a:abc')).toEqual({ kind: 'asset_id', value: 'abc' });
    expect(parseItemKey('x:abc')).toBeNull();
    expect(parseItemKey('')).toBeNull();
  });

  it('when any key is built and parsed, then it round-trips', () => {
    fc.assert(
      fc.property(fc.constantFrom('asset_id' as const, 'url' as const), fc.string(), (kind, value) => {
        expect(parseItemKey(itemKey(kind, value))).toEqual({ kind, value });
      }),
    );
  });
});

/** Valid http(s) urls with noisy spelling: mixed case, explicit ports, userinfo, fragments. */
function validUrlArb(): fc.Arbitrary<string> {
  const mixCase = (s: string) =>
    fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((flags) =>
      [...s].map((c, i) => (flags[i] ? c.toUpperCase() : c)).join(''),
    );
  return fc
    .record({
      scheme: fc.constantFrom('http', 'https').chain(mixCase),
      userinfo: fc.constantFrom('', 'user@', 'User:Pw@'),
      host: fc.oneof(fc.domain().chain(mixCase), fc.constantFrom('[::1]', '[2001:DB8::A]', '10.0.0.1')),
      port: fc.constantFrom('', ':', ':80', ':443', ':8080', ':0443'),
      path: fc.webPath(),
      query: fc.option(fc.webQueryParameters(), { nil: undefined }),
      fragment: fc.option(fc.webFragments(), { nil: undefined }),
    })
    .map(({ scheme, userinfo, host, port, path, query, fragment }) =>
      `${scheme}://${userinfo}${host}${port}${path}${query === undefined ? '' : `?${query}`}${fragment === undefined ? '' : `#${fragment}`}`,
    )
    .filter((url) => validateUrl(url) === null);
}
