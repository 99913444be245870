import { classifyFailure } from './classify-response';
import { refreshVerdict, showResultVerdict, unsentVerdict } from './verdict';

const NOW = Date.UTC(2025, 0, 1);
const NO_QUOTA = { quotaErrorCodes: [] };
const wire = (status: number, code?: string, retryAfter?: string) =>
  classifyFailure({ status, body: code === undefined ? '' : JSON.stringify({ error_code: code, error_msg: 'm' }), retryAfter }, NOW);

describe('the verdict on a call', () => {
  it('when VOD accepts, then the verdict carries the task id and the call reached VOD', () => {
    const answer = { type: 'accepted', taskId: 'a'.repeat(32), httpStatus: 202 } as const;
    expect(refreshVerdict(answer, NO_QUOTA)).toEqual({ class: 'accepted', taskId: 'a'.repeat(32), reachedUpstream: true, answer });
  });

  it('when the gateway answers in VOD\'s stead, then the verdict says the call never reached VOD', () => {
    expect(refreshVerdict(wire(502, 'APIGW.0201'), NO_QUOTA)).toMatchObject({ class: 'retry_later', reason: 'backend_unavailable', code: 'APIGW.0201', reachedUpstream: false });
    expect(refreshVerdict(wire(429, 'APIGW.0308', '3'), NO_QUOTA)).toMatchObject({ class: 'throttled', code: 'APIGW.0308', reachedUpstream: false, retryAfterMs: 3000 });
  });

  it('when a transient code comes with a 4xx, then its Retry-After counts; on any other 4xx it does not', () => {
    expect(refreshVerdict(wire(403, 'VOD.10051', '2'), NO_QUOTA)).toMatchObject({ class: 'retry_later', reason: 'internal_error', reachedUpstream: true, retryAfterMs: 2000 });
    const unknown = refreshVerdict(wire(400, 'VOD.99999', '2'), NO_QUOTA);
    expect(unknown).toMatchObject({ class: 'retry_later', reason: 'unknown_code', code: 'VOD.99999', reachedUpstream: true });
    expect(unknown.retryAfterMs).toBeUndefined();
  });

  it('when an answer has no code, then the verdict names it by its status, or NETWORK without one', () => {
    expect(refreshVerdict(wire(503), NO_QUOTA)).toMatchObject({ class: 'retry_later', reason: 'server_error', code: 'HTTP.503' });
    expect(refreshVerdict({ type: 'retry', message: 'socket hang up', reachedUpstream: true }, NO_QUOTA)).toMatchObject({ class: 'retry_later', code: 'NETWORK' });
  });

  it("when the code is one of the tenant's quota codes, then the verdict is quota spent", () => {
    expect(showResultVerdict(wire(403, 'VOD.10999'), { quotaErrorCodes: ['VOD.10999'] })).toMatchObject({ class: 'quota_spent', code: 'VOD.10999' });
  });

  it('when a call never left this process, then it is retried later and spent nothing upstream', () => {
    expect(unsentVerdict('IAM token unavailable: down')).toMatchObject({
      class: 'retry_later', reason: 'network', code: 'NETWORK', message: 'IAM token unavailable: down', reachedUpstream: false,
    });
  });
});
