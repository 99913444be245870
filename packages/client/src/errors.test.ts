import { RefreshApiError, RefreshAuthError, RefreshRateLimitedError, RefreshValidationError, apiError, parseRetryAfter } from './errors';

describe('typed errors from error answers', () => {
  it("when the body is the service's, then the error carries its code, message, details and kind", () => {
    const err = apiError(400, { error_code: 'RFS.0001', error_msg: '1 of 2 items are not valid', details: [{ index: 1, reason: 'x' }] }, { requestId: 'r1' });
    expect(err).toBeInstanceOf(RefreshValidationError);
    expect(err).toMatchObject({ status: 400, code: 'RFS.0001', kind: 'validation', details: [{ index: 1, reason: 'x' }], requestId: 'r1' });
    expect(err.message).toBe('RFS.0001 (HTTP 400): 1 of 2 items are not valid');
  });

  it('when the status is 401 or 403, then it is an auth error; 429 is rate-limited with its Retry-After', () => {
    expect(apiError(403, { error_code: 'RFS.0005', error_msg: 'no' }, {})).toBeInstanceOf(RefreshAuthError);
    const limited = apiError(429, {}, { retryAfter: '7' });
    expect(limited).toBeInstanceOf(RefreshRateLimitedError);
    expect(limited.retryAfterSeconds).toBe(7);
  });

  it('when a proxy answers with a body that is not the service\'s, then the code names the HTTP status', () => {
    const err = apiError(502, '<html>bad gateway</html>', {});
    expect(err).toBeInstanceOf(RefreshApiError);
    expect(err).toMatchObject({ code: 'HTTP.502', kind: 'unavailable' });
    expect(apiError(500, null, {})).toMatchObject({ code: 'HTTP.500', kind: 'server' });
  });

  it('when Retry-After is an HTTP date, then it becomes seconds from now; garbage is ignored', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
