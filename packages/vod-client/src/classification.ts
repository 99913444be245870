/**
 * What the worker should do with a call's outcome: one class per upstream answer, following the
 * error table in docs/upstream-vod.md. It reads only the outcome's code and HTTP status; the
 * client puts the class into the verdict it hands callers (verdict.ts). Order of the checks:
 *   1. accepted;
 *   2. the tenant's quota codes (Huawei publishes none, so they come from config and win over the table);
 *   3. no HTTP answer at all: network error or timeout;
 *   4. a code in the table (codes.ts; either gateway prefix, APIGW. or APIG.);
 *   5. by status alone: 429 throttled, 5xx retry later, a 2xx without a task id retry later;
 *   6. anything else (a 4xx, 1xx or 3xx with an unknown code or none) is an unknown code: retried
 *      later and flagged `unknownCode`, so the caller warns and counts it.
 * Nothing is ever classified as "drop".
 */
import { codeRow, normaliseCode } from './codes';
import type { CallOutcome, RejectedOutcome, RetryOutcome } from './outcome';

export type RetryReason =
  | 'network'
  | 'timeout'
  /** VOD.10051/10052: VOD's own internal error. */
  | 'internal_error'
  /** APIGW.0201 with a 5xx: the gateway could not reach VOD or VOD timed out. */
  | 'backend_unavailable'
  /** Any other 5xx. */
  | 'server_error'
  /** A 2xx without the expected body: the call landed, its answer is unreadable. */
  | 'unreadable_answer'
  | 'unknown_code';

export type TenantBlockReason = 'credentials' | 'account';

export type Classification = { class: 'accepted'; taskId: string } | FailureClass;

/** The class of a call that was not accepted. */
export type FailureClass =
  | { class: 'retry_later'; reason: RetryReason; message: string; code?: string; unknownCode?: boolean }
  | { class: 'throttled'; retryAfterMs?: number }
  | { class: 'rejected_items'; code: string; message: string }
  | { class: 'tenant_blocked'; code: string; message: string; reason: TenantBlockReason }
  | { class: 'token_expired' }
  | { class: 'quota_spent'; code: string; message: string };

export interface ClassifyOptions {
  /** Codes this tenant's upstream uses for an exhausted daily quota (config, per tenant). */
  quotaErrorCodes: readonly string[];
}

const BACKEND_UNAVAILABLE = 'APIGW.0201';
const TIMEOUT = 'TIMEOUT';

export function classify(outcome: CallOutcome, opts: ClassifyOptions): Classification {
  if (outcome.type === 'accepted') return { class: 'accepted', taskId: outcome.taskId };
  return classifyFailed(outcome, opts);
}

export function classifyFailed(outcome: RejectedOutcome | RetryOutcome, opts: ClassifyOptions): FailureClass {
  const { httpStatus, message } = outcome;
  const code = outcome.code === undefined ? undefined : normaliseCode(outcome.code);
  const withCode = code !== undefined ? { code } : {};
  const retryAfter = outcome.type === 'retry' && outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {};

  if (code !== undefined && opts.quotaErrorCodes.some((q) => normaliseCode(q) === code)) return { class: 'quota_spent', code, message };
  if (httpStatus === undefined) return { class: 'retry_later', reason: code === TIMEOUT ? 'timeout' : 'network', message, ...withCode };

  const row = code === undefined ? undefined : codeRow(code);
  if (code !== undefined && row !== undefined) {
    switch (row.class) {
      case 'throttled':
        return { class: 'throttled', ...retryAfter };
      case 'token_expired':
        return { class: 'token_expired' };
      case 'rejected_items':
        return { class: 'rejected_items', code, message };
      case 'tenant_blocked':
        return { class: 'tenant_blocked', code, message, reason: row.reason };
      case 'retry_later':
        return { class: 'retry_later', reason: row.reason, message, code };
    }
  }
  if (code === BACKEND_UNAVAILABLE && httpStatus >= 500) return { class: 'retry_later', reason: 'backend_unavailable', message, code };
  // APIGW.0201 with 413: the body is too large. It can never pass as is; smaller batches can.
  if (code === BACKEND_UNAVAILABLE && httpStatus === 413) return { class: 'rejected_items', code, message };
  if (httpStatus === 429) return { class: 'throttled', ...retryAfter };
  if (httpStatus >= 500) return { class: 'retry_later', reason: 'server_error', message, ...withCode };
  if (httpStatus >= 200 && httpStatus < 300) return { class: 'retry_later', reason: 'unreadable_answer', message, ...withCode };
  return { class: 'retry_later', reason: 'unknown_code', message, ...withCode, unknownCode: true };
}
