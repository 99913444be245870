/**
 * Errors that carry a stable code, so callers and dashboards match on the code and never on
 * the message. Codes look like VOD's own ("DOMAIN.NNNN"): RFS for this refresh service, then a
 * number that never changes meaning once released. New codes take the next free number.
 *
 * The domain knows codes only; which HTTP status answers each is the API's business
 * (HTTP_STATUS in services/ingest-api/src/http/errors.ts).
 *
 *   code      name                     meaning
 *   RFS.0001  INVALID_REQUEST          the input breaks a rule
 *   RFS.0002  UNSUPPORTED_MEDIA_TYPE   a body in a format we do not read
 *   RFS.0003  PAYLOAD_TOO_LARGE        over a size cap
 *   RFS.0004  UNAUTHORIZED             no credentials, or unknown ones
 *   RFS.0005  FORBIDDEN                (no longer answered: a tenant not the caller's is not found)
 *   RFS.0006  NOT_FOUND                no such thing, or not the caller's
 *   RFS.0007  CONFLICT                 clashes with the state of what is already there
 *   RFS.0008  UNAVAILABLE              a dependency is down or the service is stopping: retry
 *   RFS.0009  CONFIG_INVALID           the configuration breaks a rule
 *   RFS.0010  INTERNAL                 a bug, never bad input
 *   RFS.0011  TOO_MANY_REQUESTS        a caller's request rate or a tenant's backlog cap;
 *                                      details.limit says which
 */
export const ERROR_CODES = {
  INVALID_REQUEST: 'RFS.0001',
  UNSUPPORTED_MEDIA_TYPE: 'RFS.0002',
  PAYLOAD_TOO_LARGE: 'RFS.0003',
  UNAUTHORIZED: 'RFS.0004',
  FORBIDDEN: 'RFS.0005',
  NOT_FOUND: 'RFS.0006',
  CONFLICT: 'RFS.0007',
  UNAVAILABLE: 'RFS.0008',
  CONFIG_INVALID: 'RFS.0009',
  INTERNAL: 'RFS.0010',
  TOO_MANY_REQUESTS: 'RFS.0011',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** An error of the domain: a code from ERROR_CODES (or an upstream's own) and, optionally, details for the caller. */
export class AppError extends Error {
  constructor(
    public code: string,
    message: string,
    public details?: unknown,
  ) {
    super(message);
    // Survives minification and shows in logs, where instanceof is not available.
    this.name = 'AppError';
  }
}
