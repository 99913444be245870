/**
 * What one upstream call answered, read from HTTP and the network alone. Every upstream answer
 * and every network failure maps to exactly one of these; the client never retries. The VOD
 * calls hand it to callers only inside their verdict (verdict.ts), as `answer`, for logs; IAM's
 * token call returns it as it is.
 */
export type CallOutcome =
  | { type: 'accepted'; taskId: string; httpStatus: number }
  /** Do not retry the same call as is (bad parameters, credentials, tenant problems). */
  | RejectedOutcome
  | RetryOutcome;

export interface RejectedOutcome {
  type: 'rejected';
  httpStatus: number;
  code: string;
  message: string;
}

/**
 * Worth trying again later. `reachedUpstream` is false only when the request provably never
 * reached VOD: no connection was made, or the API gateway answered in VOD's stead that it did
 * not forward it (classify-response.ts). Only then can it not have spent upstream quota.
 */
export interface RetryOutcome {
  type: 'retry';
  httpStatus?: number;
  code?: string;
  message: string;
  reachedUpstream: boolean;
  retryAfterMs?: number;
}

export type RefreshStatus = 'PROCESSING' | 'SUCCEED' | 'FAILED';

export interface RefreshResult {
  url: string;
  status: RefreshStatus;
}

export type ShowResultOutcome = { type: 'ok'; results: RefreshResult[] } | RejectedOutcome | RetryOutcome;

export interface RefreshTarget {
  kind: 'asset_id' | 'url';
  items: string[];
}
