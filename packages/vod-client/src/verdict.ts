/**
 * What one upstream call came to, final: its class (classification.ts), which says what to do,
 * together with what doing it needs: whether the call may have reached VOD, its Retry-After and
 * the code that names it. The client reads each answer once, here, and hands callers the verdict;
 * `answer`, the answer as it came, is there for logs. Act on the verdict, never on the answer.
 */
import { classifyFailed, type ClassifyOptions, type FailureClass } from './classification';
import type { CallOutcome, RefreshResult, RejectedOutcome, RetryOutcome, ShowResultOutcome } from './outcome';

interface Facts<Answer> {
  /**
   * False only when the call provably never reached VOD (classify-error.ts, classify-response.ts):
   * only then can it not have spent upstream quota.
   */
  reachedUpstream: boolean;
  /** Retry-After in ms, from an answer worth retrying as it is (429, 5xx, a transient code). */
  retryAfterMs?: number;
  /** The answer as it came (status, code, message): for logs. */
  answer: Answer;
}

/**
 * A call that was not accepted: its class, and `code`, the code that names it: VOD's, the
 * gateway's (APIGW. spelling) or the network error's, else `HTTP.<status>`, else `NETWORK`.
 */
export type FailureVerdict = FailureClass & Facts<RejectedOutcome | RetryOutcome> & { code: string };

export type RefreshVerdict = ({ class: 'accepted'; taskId: string } & Facts<Extract<CallOutcome, { type: 'accepted' }>>) | FailureVerdict;

export type ShowResultVerdict = ({ class: 'results'; results: RefreshResult[] } & Facts<Extract<ShowResultOutcome, { type: 'ok' }>>) | FailureVerdict;

export function refreshVerdict(answer: CallOutcome, opts: ClassifyOptions): RefreshVerdict {
  if (answer.type === 'accepted') return { class: 'accepted', taskId: answer.taskId, reachedUpstream: true, answer };
  return failureVerdict(answer, opts);
}

export function showResultVerdict(answer: ShowResultOutcome, opts: ClassifyOptions): ShowResultVerdict {
  if (answer.type === 'ok') return { class: 'results', results: answer.results, reachedUpstream: true, answer };
  return failureVerdict(answer, opts);
}

/**
 * The verdict on a call that never left this process (its credentials could not be had): retry
 * later; it spent nothing upstream.
 */
export function unsentVerdict(message: string): FailureVerdict {
  return failureVerdict({ type: 'retry', message, reachedUpstream: false }, { quotaErrorCodes: [] });
}

function failureVerdict(answer: RejectedOutcome | RetryOutcome, opts: ClassifyOptions): FailureVerdict {
  const verdict = classifyFailed(answer, opts);
  const retry = answer.type === 'retry' ? answer : undefined;
  return {
    ...verdict,
    code: ('code' in verdict && verdict.code) || (answer.code ?? (answer.httpStatus ? `HTTP.${answer.httpStatus}` : 'NETWORK')),
    reachedUpstream: retry?.reachedUpstream ?? true,
    ...(retry?.retryAfterMs !== undefined ? { retryAfterMs: retry.retryAfterMs } : {}),
    answer,
  };
}
