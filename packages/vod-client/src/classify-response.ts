/**
 * Turns an HTTP answer from the gateway into an outcome. Rules, in order:
 * 429 and 5xx are retryable; 4xx are permanent for this call except the codes Huawei documents
 * as transient (`transient` in codes.ts: internal errors, the gateway's rate limit); 2xx must
 * carry what we asked for, otherwise the call landed but is unreadable, which is a retry that
 * reached upstream.
 */
import { codeRow } from './codes';
import type { RejectedOutcome, RetryOutcome } from './outcome';
import { parseRetryAfter } from './retry-after';
import { parseWireError, type WireError } from './wire';

export interface HttpAnswer {
  status: number;
  body: string;
  retryAfter: string | undefined;
}

/**
 * Answers of the API gateway itself, given instead of forwarding the call: 502 APIGW.0201
 * "backend unavailable" and 429 APIGW.0308 "throttled". VOD never saw such a call, so it spent
 * none of the tenant's quota and the budget it reserved comes back. A 504 (backend timeout) is
 * not among them: VOD may have acted on it. (parseWireError spells APIG. as APIGW.)
 */
const NOT_FORWARDED = new Set(['502 APIGW.0201', '429 APIGW.0308']);

/** The outcome for a non-2xx answer, or for a 2xx whose body could not be read. */
export function classifyFailure(answer: HttpAnswer, nowMs: number): RejectedOutcome | RetryOutcome {
  const error = parseWireError(answer.body);
  const { status } = answer;
  if (status >= 200 && status < 300) {
    return retry(answer, nowMs, undefined, `HTTP ${status} with an unreadable body: ${snippet(answer.body)}`);
  }
  const message = error?.message || `HTTP ${status}: ${snippet(answer.body)}`;
  if (status === 429 || status >= 500 || (error !== undefined && codeRow(error.code)?.transient)) {
    return retry(answer, nowMs, error, message);
  }
  if (status >= 400) return { type: 'rejected', httpStatus: status, code: error?.code ?? `HTTP.${status}`, message };
  // 1xx/3xx: redirects are not followed (a redirect would need a new signature); nothing to read.
  return retry(answer, nowMs, error, message);
}

function retry(answer: HttpAnswer, nowMs: number, error: WireError | undefined, message: string): RetryOutcome {
  const retryAfterMs = parseRetryAfter(answer.retryAfter, nowMs);
  return {
    type: 'retry',
    httpStatus: answer.status,
    ...(error ? { code: error.code } : {}),
    message,
    reachedUpstream: !(error && NOT_FORWARDED.has(`${answer.status} ${error.code}`)),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

function snippet(body: string): string {
  return body.length > 200 ? `${body.slice(0, 200)}…` : body;
}
