import { classifyFailure } from './classify-response';
import { parseRefreshResults, parseTaskId, parseWireError, refreshBody } from './wire';

const now = Date.UTC(2025, 0, 1);
const body = (code: string, msg = 'm') => JSON.stringify({ error_code: code, error_msg: msg });

describe('classifyFailure', () => {
  it('when a 2xx carries no readable task id, then it is a retry that reached upstream', () => {
    expect(classifyFailure({ status: 202, body: '{"task_id":"short"}', retryAfter: undefined }, now)).toMatchObject({
      type: 'retry',
      httpStatus: 202,
      reachedUpstream: true,
    });
  });

  it('when a 4xx is a parameter or credentials error, then it is rejected with its code', () => {
    expect(classifyFailure({ status: 403, body: body('VOD.10054', 'auth'), retryAfter: undefined }, now)).toEqual({
      type: 'rejected',
      httpStatus: 403,
      code: 'VOD.10054',
      message: 'auth',
    });
  });

  it('when a 4xx code is documented as transient (internal error, gateway rate limit), then it is a retry', () => {
    for (const code of ['VOD.10051', 'VOD.10052', 'VOD.10127']) {
      expect(classifyFailure({ status: 403, body: body(code), retryAfter: '2' }, now)).toMatchObject({
        type: 'retry',
        code,
        reachedUpstream: true,
        retryAfterMs: 2000,
      });
    }
  });

  it('when the gateway answers in VOD\'s stead (502 backend unavailable, 429 throttled), then the call never reached VOD', () => {
    for (const [status, code] of [[502, 'APIGW.0201'], [502, 'APIG.0201'], [429, 'APIGW.0308'], [429, 'APIG.0308']] as const) {
      expect(classifyFailure({ status, body: body(code), retryAfter: undefined }, now)).toMatchObject({ type: 'retry', reachedUpstream: false });
    }
    // a backend timeout or VOD's own 5xx may have been acted on
    for (const [status, code] of [[504, 'APIGW.0201'], [500, 'VOD.10051'], [503, 'HTTP.503']] as const) {
      expect(classifyFailure({ status, body: body(code), retryAfter: undefined }, now)).toMatchObject({ type: 'retry', reachedUpstream: true });
    }
  });

  it('when the gateway spells its prefix APIG., then callers see APIGW.', () => {
    expect(classifyFailure({ status: 401, body: body('APIG.0301'), retryAfter: undefined }, now)).toMatchObject({ code: 'APIGW.0301' });
  });

  it('when an error body is not Huawei JSON, then the code says the HTTP status', () => {
    expect(classifyFailure({ status: 404, body: '<html>', retryAfter: undefined }, now)).toMatchObject({ type: 'rejected', code: 'HTTP.404' });
    expect(classifyFailure({ status: 504, body: '', retryAfter: undefined }, now)).toMatchObject({ type: 'retry', httpStatus: 504 });
  });
});

describe('wire format', () => {
  it('when building a body, then exactly one of the two fields is present', () => {
    expect(refreshBody({ kind: 'asset_id', items: ['a'] })).toBe('{"asset_id_list":["a"]}');
    expect(refreshBody({ kind: 'url', items: ['u'] })).toBe('{"urls":["u"]}');
  });

  it('when reading answers, then task ids must be 32 hex and statuses compare without case', () => {
    expect(parseTaskId('{"task_id":"5199337C31C8E4622F1590735B13A263"}')).toBe('5199337c31c8e4622f1590735b13a263');
    expect(parseTaskId('not json')).toBeUndefined();
    expect(parseRefreshResults('{"refresh_results":[{"url":"u","status":"succeed"}]}')).toEqual([{ url: 'u', status: 'SUCCEED' }]);
    expect(parseRefreshResults('{"refresh_results":[{"url":"u","status":"weird"}]}')).toBeUndefined();
    expect(parseWireError('{"error_msg":"no code"}')).toBeUndefined();
  });
});
