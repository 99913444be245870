import {
  canonicalRequest,
  formatSdkDate,
  parseSdkDate,
  percentEncode,
  sha256Hex,
  signRequest,
  signature,
  stringToSign,
  verifySignature,
} from './signer';

// Huawei's documentation example (vector 1 in docs/upstream-vod.md).
const doc = {
  url: 'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
  headers: { 'content-type': 'application/json', host: 'service.region.example.com', 'X-Sdk-Date': '20191115T033655Z' },
  accessKey: 'QTWAOYTTINDUT2QVKYUC',
  secretKey: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
};

// Huawei's Go SDK test (core/auth/signer/signer_test.go): only x-sdk-date is signed there.
const goSdk = { sdkDate: '20060102T150405Z', secretKey: 'SecretKey', signedHeaders: ['x-sdk-date'] };

function goSdkSignature(method: string, url: string, body: string): string {
  const headers = { 'X-Sdk-Date': goSdk.sdkDate };
  const canonical = canonicalRequest({ method, url, headers, signedHeaders: goSdk.signedHeaders, body });
  return signature(stringToSign(canonical, goSdk.sdkDate), goSdk.secretKey);
}

describe('signer: published vectors', () => {
  it('when signing the documentation example, then its canonical request hash and signature match', () => {
    const canonical = canonicalRequest({
      method: 'GET',
      url: doc.url,
      headers: doc.headers,
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      body: '',
    });
    expect(sha256Hex(canonical)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');

    const signed = signRequest({
      method: 'GET',
      url: doc.url,
      headers: doc.headers,
      body: '',
      accessKey: doc.accessKey,
      secretKey: doc.secretKey,
      date: new Date(Date.UTC(2019, 10, 15, 3, 36, 55)),
    });
    expect(signed).toEqual({
      'X-Sdk-Date': '20191115T033655Z',
      Authorization:
        'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, ' +
        'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    });
  });

  it('when signing the Go SDK GET, then the signature matches', () => {
    expect(goSdkSignature('GET', 'https://example.huaweicloud.com/path?limit=1', '')).toBe(
      '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
  });

  it('when signing the Go SDK POST, then the signature matches (Go json.Encoder ends the body with a newline)', () => {
    expect(goSdkSignature('POST', 'https://example.huaweicloud.com/path?key=value', '{"Name":"test","Id":1}\n')).toBe(
      'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
    );
  });
});

describe('signer: canonical pieces', () => {
  it('when encoding, then only unreserved characters survive and hex is upper case', () => {
    expect(percentEncode("a-_.~ /!'()*一")).toBe('a-_.~%20%2F%21%27%28%29%2A%E4%B8%80');
  });

  it('when a query repeats keys, then keys and values are sorted and empty values keep "="', () => {
    const canonical = canonicalRequest({
      method: 'get',
      url: '/a b/c?z=2&a=&z=1&path=%2Ftmp',
      headers: {},
      signedHeaders: [],
      body: '',
    });
    expect(canonical.split('\n').slice(0, 3)).toEqual(['GET', '/a%20b/c/', 'a=&path=%2Ftmp&z=1&z=2']);
  });

  it('when formatting and parsing an SDK date, then they round-trip and junk is refused', () => {
    const date = new Date(Date.UTC(2024, 1, 29, 23, 59, 58));
    expect(formatSdkDate(date)).toBe('20240229T235958Z');
    expect(parseSdkDate('20240229T235958Z')).toBe(date.getTime());
    expect(parseSdkDate('2024-02-29T23:59:58Z')).toBeUndefined();
  });
});

describe('signer: verification', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  const url = 'http://127.0.0.1:9000/v1/0123456789abcdef0123456789abcdef/asset/refresh';
  const body = '{"urls":["https://cdn.example.com/a.mp4"]}';
  const base = { 'Content-Type': 'application/json', 'X-Project-Id': '0123456789abcdef0123456789abcdef' };
  const lookupSecret = (ak: string) => (ak === 'AK' ? 'SK' : undefined);

  function signedHeaders(overrides: { secretKey?: string; accessKey?: string; date?: Date } = {}) {
    const auth = signRequest({
      method: 'POST',
      url,
      headers: base,
      body,
      accessKey: overrides.accessKey ?? 'AK',
      secretKey: overrides.secretKey ?? 'SK',
      date: overrides.date ?? new Date(now),
    });
    // As Node's server presents them: lower-case names, Host from the URL.
    return { 'content-type': base['Content-Type'], 'x-project-id': base['X-Project-Id'], host: '127.0.0.1:9000', 'x-sdk-date': auth['X-Sdk-Date'], authorization: auth.Authorization };
  }

  const verify = (headers: Record<string, string>, verifyBody = body) =>
    verifySignature({ method: 'POST', url: '/v1/0123456789abcdef0123456789abcdef/asset/refresh', headers, body: verifyBody, lookupSecret, now, maxSkewMs: 15 * 60_000 });

  it('when the request is signed with the right key, then it verifies and names the access key', () => {
    expect(verify(signedHeaders())).toEqual({ ok: true, accessKey: 'AK' });
  });

  it('when the body differs by one byte, then the signature is bad', () => {
    expect(verify(signedHeaders(), `${body} `)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('when the secret is wrong, then the signature is bad', () => {
    expect(verify(signedHeaders({ secretKey: 'other' }))).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('when the access key is unknown, then it says so', () => {
    expect(verify(signedHeaders({ accessKey: 'NOPE' }))).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('when Authorization or X-Sdk-Date is absent, then it is missing', () => {
    const { authorization: _a, ...noAuth } = signedHeaders();
    const { 'x-sdk-date': _d, ...noDate } = signedHeaders();
    expect(verify(noAuth)).toEqual({ ok: false, reason: 'missing' });
    expect(verify(noDate)).toEqual({ ok: false, reason: 'missing' });
  });

  it('when the date is 16 minutes off but the signature is genuine, then it is clock skew', () => {
    expect(verify(signedHeaders({ date: new Date(now - 16 * 60_000) }))).toEqual({ ok: false, reason: 'clock-skew' });
    expect(verify(signedHeaders({ date: new Date(now + 14 * 60_000) }))).toEqual({ ok: true, accessKey: 'AK' });
  });
});
