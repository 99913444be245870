import { classify, type Classification } from './classification';
import { classifyFailure } from './classify-response';
import type { CallOutcome } from './outcome';

const NOW = Date.UTC(2025, 0, 1);
const NO_QUOTA = { quotaErrorCodes: [] };
const MSG = 'upstream says so';

/** The outcome the client builds from an HTTP answer, as the worker receives it. */
function fromWire(status: number, code: string, retryAfter?: string): CallOutcome {
  return classifyFailure({ status, body: JSON.stringify({ error_code: code, error_msg: MSG }), retryAfter }, NOW);
}

/** An outcome carrying the code exactly as spelled, bypassing the client's APIG. normalisation. */
function raw(status: number, code: string): CallOutcome {
  return status === 429 || status >= 500 || ['VOD.10051', 'VOD.10052', 'VOD.10127'].includes(code)
    ? { type: 'retry', httpStatus: status, code, message: MSG, reachedUpstream: true }
    : { type: 'rejected', httpStatus: status, code, message: MSG };
}

const gatewaySpellings = (code: string) => (code.startsWith('APIGW.') ? [code, code.replace('APIGW.', 'APIG.')] : [code]);

/** Every row of the table in issue 3 (and docs/upstream-vod.md): status, code, class. */
const TABLE: Array<[status: number, code: string, expected: (code: string) => Classification]> = [
  [403, 'VOD.10051', (code) => ({ class: 'retry_later', reason: 'internal_error', code, message: MSG })],
  [403, 'VOD.10052', (code) => ({ class: 'retry_later', reason: 'internal_error', code, message: MSG })],
  [502, 'APIGW.0201', (code) => ({ class: 'retry_later', reason: 'backend_unavailable', code, message: MSG })],
  [504, 'APIGW.0201', (code) => ({ class: 'retry_later', reason: 'backend_unavailable', code, message: MSG })],
  [413, 'APIGW.0201', (code) => ({ class: 'rejected_items', code, message: MSG })],
  [429, 'APIGW.0308', () => ({ class: 'throttled' })],
  [403, 'VOD.10127', () => ({ class: 'throttled' })],
  ...['VOD.10053', 'VOD.10081'].map((c): [number, string, (code: string) => Classification] => [400, c, (code) => ({ class: 'rejected_items', code, message: MSG })]),
  ...['VOD.10060', 'VOD.10061', 'VOD.10062', 'VOD.10083'].flatMap((c) =>
    [400, 403].map((s): [number, string, (code: string) => Classification] => [s, c, (code) => ({ class: 'rejected_items', code, message: MSG })]),
  ),
  ...['APIGW.0301', 'APIGW.0303', 'APIGW.0305'].map((c): [number, string, (code: string) => Classification] => [
    401,
    c,
    (code) => ({ class: 'tenant_blocked', reason: 'credentials', code, message: MSG }),
  ]),
  ...['APIGW.0302', 'APIGW.0306', 'APIGW.0310'].map((c): [number, string, (code: string) => Classification] => [
    403,
    c,
    (code) => ({ class: 'tenant_blocked', reason: 'account', code, message: MSG }),
  ]),
  [403, 'VOD.10054', (code) => ({ class: 'tenant_blocked', reason: 'credentials', code, message: MSG })],
  ...['VOD.10055', 'VOD.10056', 'VOD.10057'].map((c): [number, string, (code: string) => Classification] => [
    403,
    c,
    (code) => ({ class: 'tenant_blocked', reason: 'account', code, message: MSG }),
  ]),
  [401, 'APIGW.0307', () => ({ class: 'token_expired' })],
];

const CASES = TABLE.flatMap(([status, code, expected]) => gatewaySpellings(code).map((spelled) => ({ status, spelled, expected: expected(code) })));

describe('classify', () => {
  it.each(CASES)('when upstream answers $status $spelled, then it is $expected.class', ({ status, spelled, expected }) => {
    expect(classify(raw(status, spelled), NO_QUOTA)).toEqual(expected);
    expect(classify(fromWire(status, spelled), NO_QUOTA)).toEqual(expected);
  });

  it('when a call is accepted, then the class carries its task id', () => {
    expect(classify({ type: 'accepted', taskId: 'a'.repeat(32), httpStatus: 202 }, NO_QUOTA)).toEqual({ class: 'accepted', taskId: 'a'.repeat(32) });
  });

  it.each([
    ['ECONNREFUSED', false, 'network'],
    ['ENOTFOUND', false, 'network'],
    ['EAI_AGAIN', false, 'network'],
    ['VOD_CONNECT_TIMEOUT', false, 'network'],
    ['ECONNRESET', true, 'network'],
    ['TIMEOUT', true, 'timeout'],
  ] as const)('when the network fails with %s (reached upstream: %s), then it is retry later (%s)', (code, reachedUpstream, reason) => {
    expect(classify({ type: 'retry', code, message: 'm', reachedUpstream }, NO_QUOTA)).toEqual({ class: 'retry_later', reason, code, message: 'm' });
  });

  it('when the network fails without a code, then it is retry later (network) without one', () => {
    expect(classify({ type: 'retry', message: 'socket hang up', reachedUpstream: true }, NO_QUOTA)).toEqual({
      class: 'retry_later',
      reason: 'network',
      message: 'socket hang up',
    });
  });

  it.each([500, 502, 503, 504])('when upstream answers %i without a known code, then it is retry later (server error)', (status) => {
    expect(classify(classifyFailure({ status, body: '', retryAfter: undefined }, NOW), NO_QUOTA)).toEqual({
      class: 'retry_later',
      reason: 'server_error',
      message: `HTTP ${status}: `,
    });
    expect(classify(fromWire(status, 'VOD.99999'), NO_QUOTA)).toMatchObject({ class: 'retry_later', reason: 'server_error', code: 'VOD.99999' });
  });

  it('when a 429 or a throttling code carries Retry-After, then throttled keeps it in ms', () => {
    expect(classify(fromWire(429, 'APIGW.0308', '3'), NO_QUOTA)).toEqual({ class: 'throttled', retryAfterMs: 3000 });
    expect(classify(fromWire(403, 'VOD.10127', '2'), NO_QUOTA)).toEqual({ class: 'throttled', retryAfterMs: 2000 });
    expect(classify(classifyFailure({ status: 429, body: 'slow down', retryAfter: '1' }, NOW), NO_QUOTA)).toEqual({ class: 'throttled', retryAfterMs: 1000 });
  });

  it.each([
    [400, 'VOD.99999'],
    [403, 'APIGW.0999'],
    [404, 'HTTP.404'],
  ])('when upstream answers %i with the unknown code %s, then it is retry later flagged unknownCode, never dropped', (status, code) => {
    expect(classify({ type: 'rejected', httpStatus: status, code, message: MSG }, NO_QUOTA)).toEqual({
      class: 'retry_later',
      reason: 'unknown_code',
      code,
      message: MSG,
      unknownCode: true,
    });
  });

  it('when a 2xx carries no task id, then it is retry later (unreadable answer)', () => {
    const outcome = classifyFailure({ status: 202, body: '{}', retryAfter: undefined }, NOW);
    expect(classify(outcome, NO_QUOTA)).toMatchObject({ class: 'retry_later', reason: 'unreadable_answer' });
  });

  it("when the code is one of the tenant's quotaErrorCodes, then it is quota spent, checked before the table", () => {
    const opts = { quotaErrorCodes: ['VOD.10053', 'APIG.0308', 'VOD.10999'] };
    expect(classify(fromWire(400, 'VOD.10053'), opts)).toEqual({ class: 'quota_spent', code: 'VOD.10053', message: MSG });
    expect(classify(raw(429, 'APIGW.0308'), opts)).toEqual({ class: 'quota_spent', code: 'APIGW.0308', message: MSG });
    expect(classify(raw(403, 'VOD.10999'), opts)).toEqual({ class: 'quota_spent', code: 'VOD.10999', message: MSG });
    expect(classify(fromWire(400, 'VOD.10081'), opts)).toMatchObject({ class: 'rejected_items' });
  });
});
