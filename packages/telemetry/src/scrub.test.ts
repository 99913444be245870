import { TRACE_CENSOR, scrubAttribute, scrubAttributes, stripUrls } from './scrub';

describe('what a span may carry', () => {
  it('when an attribute is named like a secret of the log redaction, then its value is censored', () => {
    expect(scrubAttribute('http.request.header.authorization', ['Bearer abc'])).toBe(TRACE_CENSOR);
    expect(scrubAttribute('http.response.header.x-subject-token', 'tok')).toBe(TRACE_CENSOR);
    expect(scrubAttribute('refresh.tenant', 'news')).toBe('news');
  });

  it('when an attribute holds a URL, then its query, fragment and user info are gone and its path stays', () => {
    expect(scrubAttribute('url.full', 'https://u:p@hooks.example/cb/1?token=s3cret#x')).toBe('https://hooks.example/cb/1');
    expect(scrubAttribute('http.target', '/v1/requests/r1?cursor=5')).toBe('/v1/requests/r1');
    expect(scrubAttribute('url.query', 'task_id=1')).toBe(TRACE_CENSOR);
  });

  it('when a URL with a query sits inside any text (an error message), then the query is dropped', () => {
    expect(stripUrls('connect failed for https://cdn.example/a.mp4?auth_key=1-0-abc now')).toBe('connect failed for https://cdn.example/a.mp4 now');
    expect(scrubAttributes({ 'exception.message': 'GET http://x/y?sig=1 failed', n: 3 })).toEqual({ 'exception.message': 'GET http://x/y failed', n: 3 });
  });
});
