import { ERROR_CODES } from '@refresh/core';

/** The service's own error codes (RFS.NNNN), so callers match on a code, never a message. */
export { ERROR_CODES };

/** What sort of refusal an error is; stable across messages and, mostly, across codes. */
export type RefreshErrorKind =
  | 'validation' // 400, 413, 415: the request itself is wrong; retrying it will not help
  | 'auth' // 401 (403 from older servers): the key is unknown or may not use the tenant
  | 'not-found' // 404
  | 'conflict' // 409: an Idempotency-Key reused with another body
  | 'rate-limited' // 429, after the client's retries
  | 'unavailable' // 502-504, after the client's retries
  | 'server'; // any other 5xx: a fault of the service

/** Base of every error this client throws. */
export class RefreshError extends Error {
  override name = 'RefreshError';
}

/** The service answered with an error body `{error_code, error_msg, details?}`. */
export class RefreshApiError extends RefreshError {
  override name = 'RefreshApiError';
  readonly kind: RefreshErrorKind;

  constructor(
    readonly status: number,
    /** the service's code, e.g. RFS.0001; `HTTP.<status>` when the body was not the service's */
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** from Retry-After, when the answer had one */
    readonly retryAfterSeconds?: number,
    /** the X-Request-Id the API logged this call under */
    readonly requestId?: string,
  ) {
    super(`${code} (HTTP ${status}): ${message}`);
    this.kind = kindOf(status);
  }
}

export class RefreshValidationError extends RefreshApiError {
  override name = 'RefreshValidationError';
}
export class RefreshAuthError extends RefreshApiError {
  override name = 'RefreshAuthError';
}
export class RefreshNotFoundError extends RefreshApiError {
  override name = 'RefreshNotFoundError';
}
export class RefreshRateLimitedError extends RefreshApiError {
  override name = 'RefreshRateLimitedError';
}
export class RefreshUnavailableError extends RefreshApiError {
  override name = 'RefreshUnavailableError';
}

/** No answer at all: connection refused or reset, DNS, or the client's timeout. */
export class RefreshNetworkError extends RefreshError {
  override name = 'RefreshNetworkError';
  constructor(
    message: string,
    /** node's error code (ECONNREFUSED, ECONNRESET, ETIMEDOUT, …) when there is one */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** waitFor gave up before the request completed; `lastView` is what was seen last. */
export class RefreshWaitTimeoutError extends RefreshError {
  override name = 'RefreshWaitTimeoutError';
  constructor(
    readonly requestId: string,
    readonly lastView: unknown,
    timeoutMs: number,
  ) {
    super(`request ${requestId} did not complete within ${timeoutMs} ms`);
  }
}

function kindOf(status: number): RefreshErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate-limited';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  if (status >= 500) return 'server';
  return 'validation';
}

const CLASSES: Partial<Record<RefreshErrorKind, typeof RefreshApiError>> = {
  validation: RefreshValidationError,
  auth: RefreshAuthError,
  'not-found': RefreshNotFoundError,
  'rate-limited': RefreshRateLimitedError,
  unavailable: RefreshUnavailableError,
};

/** The typed error for an error answer; a body that is not the service's shape still gets one. */
export function apiError(status: number, body: unknown, headers: { retryAfter?: string; requestId?: string }): RefreshApiError {
  const b = (body && typeof body === 'object' ? body : {}) as { error_code?: unknown; error_msg?: unknown; details?: unknown };
  const code = typeof b.error_code === 'string' ? b.error_code : `HTTP.${status}`;
  const message = typeof b.error_msg === 'string' ? b.error_msg : `the service answered ${status}`;
  const Class = CLASSES[kindOf(status)] ?? RefreshApiError;
  return new Class(status, code, message, b.details, parseRetryAfter(headers.retryAfter), headers.requestId);
}

/** Retry-After in seconds, from either of its forms (delta-seconds or an HTTP date). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
