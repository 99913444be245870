import { classifyLine, MAX_URL_LENGTH, validateAssetId, validateItem, validateUrl } from './items';

const urlOfLength = (n: number): string => {
  const prefix = 'https://cdn.example.com/';
  return prefix + 'a'.repeat(n - prefix.length);
};

describe('validateAssetId', () => {
  it('when the id is 1 to 64 letters, digits, "_" or "-", then it is valid', () => {
    expect(validateAssetId('a')).toBeNull();
    expect(validateAssetId('A-z_09')).toBeNull();
    expect(validateAssetId('x'.repeat(64))).toBeNull();
  });

  it('when the id is 65 characters, then it is rejected for length', () => {
    expect(validateAssetId('x'.repeat(65))).toMatch(/64/);
  });

  it('when the id is empty, then it is rejected', () => {
    expect(validateAssetId('')).toMatch(/empty/);
  });

  it.each(['abc def', 'abc.def', 'abc/def', 'ab\u00e9', 'abc\n', '中文'])(
    'when the id contains a character outside the set (%j), then it is rejected',
    (id) => {
      expect(validateAssetId(id)).not.toBeNull();
    },
  );
});

describe('validateUrl', () => {
  it.each([
    'http://example.com',
    'https://example.com/path?q=1#frag',
    'HTTPS://Example.COM:8443/a%2Fb',
    'http://user:pw@example.com/',
    'http://[::1]:8080/x',
    'http://127.0.0.1/x',
    'https://例子.测试/路径',
  ])('when the url is an absolute http(s) url (%s), then it is valid', (url) => {
    expect(validateUrl(url)).toBeNull();
  });

  it('when the url is exactly 10,240 characters, then it is valid; at 10,241 it is not', () => {
    expect(urlOfLength(MAX_URL_LENGTH)).toHaveLength(10240);
    expect(validateUrl(urlOfLength(MAX_URL_LENGTH))).toBeNull();
    expect(validateUrl(urlOfLength(MAX_URL_LENGTH + 1))).toMatch(/10240/);
  });

  it.each(['ftp://example.com/file', 'file:///etc/passwd', 'javascript:alert(1)', 'mailto:a@example.com'])(
    'when the scheme is not http(s) (%s), then it is rejected',
    (url) => {
      expect(validateUrl(url)).not.toBeNull();
    },
  );

  it.each(['/relative/path', 'example.com/path', '//example.com/path', 'http:example.com', 'http:/example.com'])(
    'when the url is not absolute with "://" (%s), then it is rejected',
    (url) => {
      expect(validateUrl(url)).not.toBeNull();
    },
  );

  it.each([
    ['a space', 'http://example.com/a b'],
    ['a tab', 'http://example.com/a\tb'],
    ['a newline', 'http://example.com/a\nb'],
    ['a carriage return', 'http://example.com/a\rb'],
    ['NUL', 'http://example.com/a\u0000b'],
    ['DEL', 'http://example.com/a\u007fb'],
    ['NEL (U+0085)', 'http://example.com/a\u0085b'],
    ['a no-break space', 'http://example.com/a\u00a0b'],
    ['a line separator (U+2028)', 'http://example.com/a\u2028b'],
    ['a paragraph separator (U+2029)', 'http://example.com/a\u2029b'],
    ['an ideographic space', 'http://example.com/a\u3000b'],
    ['a leading space', ' http://example.com/'],
    ['a trailing newline', 'http://example.com/\n'],
    ['a space in the fragment', 'http://example.com/#a b'],
  ])('when the url contains %s, then it is rejected', (_name, url) => {
    expect(validateUrl(url)).toMatch(/whitespace or control/);
  });

  it.each([
    ['a lone high surrogate', 'http://example.com/a\ud800b'],
    ['a lone low surrogate', 'http://example.com/a\udc00'],
    ['a surrogate pair the wrong way round', 'http://example.com/?q=\udc00\ud800'],
  ])('when the url contains %s, then it is rejected, since no UTF-8 can store it as sent', (_name, url) => {
    expect(validateUrl(url)).toMatch(/not valid Unicode/);
  });

  it('when the url contains a character outside the BMP (a surrogate pair), then it is valid', () => {
    expect(validateUrl('http://example.com/\u{1f600}')).toBeNull();
  });

  it.each(['http://', 'https:///path', 'http://:80/', 'http://user@/x'])(
    'when the url has no host (%s), then it is rejected',
    (url) => {
      expect(validateUrl(url)).not.toBeNull();
    },
  );

  it('when a backslash comes before the query, then it is rejected because parsers read it as "/"', () => {
    expect(validateUrl('http://evil.example\\@good.example/')).toMatch(/backslash/);
    expect(validateUrl('http://example.com/a\\b')).toMatch(/backslash/);
  });

  it('when a backslash is only in the query, then it is valid', () => {
    expect(validateUrl('http://example.com/a?b=c\\d')).toBeNull();
  });

  it('when the port is out of range, then it is rejected', () => {
    expect(validateUrl('http://example.com:65536/')).not.toBeNull();
  });

  it('when the url is empty, then it is rejected', () => {
    expect(validateUrl('')).toMatch(/empty/);
  });
});

describe('validateItem', () => {
  it('when given a kind, then it applies that kind\'s rule', () => {
    expect(validateItem('asset_id', 'abc')).toBeNull();
    expect(validateItem('url', 'abc')).not.toBeNull();
    expect(validateItem('url', 'http://example.com/')).toBeNull();
    expect(validateItem('asset_id', 'http://example.com/')).not.toBeNull();
  });
});

describe('classifyLine', () => {
  it('when a line contains "://", then it is a url, otherwise an asset id', () => {
    expect(classifyLine('https://example.com/a')).toBe('url');
    expect(classifyLine('ftp://example.com/a')).toBe('url');
    expect(classifyLine('abc123')).toBe('asset_id');
    expect(classifyLine('example.com/a')).toBe('asset_id');
  });
});
