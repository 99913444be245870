import { RefreshApiError, RefreshNetworkError, RefreshWaitTimeoutError } from '@refresh/client';

/** What `refresh` exits with; scripts may rely on these numbers, they never change meaning. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  refused: 3,
  unavailable: 4,
  itemsNotCompleted: 5,
  waitTimedOut: 6,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  success (with --wait: every item completed)
  1  unexpected error
  2  usage error: unknown option, missing argument, unreadable file, no API key
  3  the service refused the request (a 4xx other than 429): bad items, bad key,
     a tenant the key may not use, an unknown request id; its error code is on stderr.
     Also a 429 that lasts until the tenant's budget resets (a full backlog while
     today's budget is spent): stderr says when that is
  4  the service could not answer: unreachable, 5xx, or 429 after retries
  5  --wait: the request ended with failed, unknown or canceled items
  6  --wait: --timeout passed before every item was final

Environment:
  REFRESH_URL      the service (default http://127.0.0.1:8080), or --url
  REFRESH_API_KEY  the API key, or --api-key
`;

/** A mistake in how refresh was called, found before talking to the service. */
export class UsageError extends Error {}

/** A result that is not an error but must end the process with `code`. */
export class ExitWith extends Error {
  constructor(readonly code: number, message = '') {
    super(message);
  }
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof ExitWith) return err.code;
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof RefreshWaitTimeoutError) return EXIT.waitTimedOut;
  if (err instanceof RefreshNetworkError) return EXIT.unavailable;
  if (err instanceof RefreshApiError) {
    if (refusedUntilReset(err) !== null) return EXIT.refused;
    return err.kind === 'rate-limited' || err.kind === 'unavailable' || err.kind === 'server' ? EXIT.unavailable : EXIT.refused;
  }
  return EXIT.unexpected;
}

/**
 * A full backlog's 429 while the tenant's budget is spent says Retry-After until the reset
 * (hours; otherwise it says a minute): retrying within a script's patience cannot help, so it is
 * a refusal, and the instant is worth saying. Null for any other error.
 */
export function refusedUntilReset(err: RefreshApiError, now = Date.now()): Date | null {
  const details = err.details as { limit?: unknown } | undefined;
  if (err.status !== 429 || details?.limit !== 'tenant_backlog') return null;
  if (err.retryAfterSeconds === undefined || err.retryAfterSeconds <= BACKLOG_RETRY_SECONDS) return null;
  return new Date(now + err.retryAfterSeconds * 1000);
}

/** What the service's Retry-After says for a full backlog that still drains today (admission.ts). */
const BACKLOG_RETRY_SECONDS = 60;
