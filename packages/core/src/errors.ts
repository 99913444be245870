/**
 * Errors that carry a stable code, so callers and dashboards match on the code and never on
 * the message. Codes look like VOD's own ("DOMAIN.NNNN"): RFS for this refresh service, then a
 * number that never changes meaning once released. New codes take the next free number.
 *
 *   code      name                     usual HTTP status
 *   RFS.0001  INVALID_REQUEST          400
 *   RFS.0002  UNSUPPORTED_MEDIA_TYPE   415
 *   RFS.0003  PAYLOAD_TOO_LARGE        413
 *   RFS.0004  UNAUTHORIZED             401
 *   RFS.0005  FORBIDDEN                403 (no longer answered: a tenant not the caller's is a 404)
 *   RFS.0006  NOT_FOUND                404
 *   RFS.0007  CONFLICT                 409
 *   RFS.0008  UNAVAILABLE              503
 *   RFS.0009  CONFIG_INVALID           500
 *   RFS.0010  INTERNAL                 500 (a bug, never bad input)
 *   RFS.0011  TOO_MANY_REQUESTS        429 (a caller's request rate or a tenant's backlog cap;
 *                                          details.limit says which, Retry-After when to retry)
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

export class AppError extends Error {
  constructor(
    public code: string,
    message: string,
    public httpStatus = 500,
    public details?: unknown,
  ) {
    super(message);
    // Survives minification and shows in logs, where instanceof is not available.
    this.name = 'AppError';
  }
}
