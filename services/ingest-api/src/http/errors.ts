import type { ErrorBody } from '@refresh/contract';
import { AppError, ERROR_CODES, type ErrorCode } from '@refresh/core';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { closeAfterDraining, type DrainBounds } from './lingering-close';
import { logOf } from './request-log';

/** The status each code answers with, unless the error carries its own (HttpError). */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ERROR_CODES.INVALID_REQUEST]: 400,
  [ERROR_CODES.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ERROR_CODES.PAYLOAD_TOO_LARGE]: 413,
  [ERROR_CODES.UNAUTHORIZED]: 401,
  [ERROR_CODES.FORBIDDEN]: 403,
  [ERROR_CODES.NOT_FOUND]: 404,
  [ERROR_CODES.CONFLICT]: 409,
  [ERROR_CODES.UNAVAILABLE]: 503,
  [ERROR_CODES.CONFIG_INVALID]: 500,
  [ERROR_CODES.INTERNAL]: 500,
  [ERROR_CODES.TOO_MANY_REQUESTS]: 429,
};

/**
 * An error the API answers with: the domain's code and details (AppError), and the HTTP status
 * it was raised with. Its name stays AppError, as logs have always shown it.
 */
export class HttpError extends AppError {
  constructor(code: string, message: string, public httpStatus = 500, details?: unknown) {
    super(code, message, details);
  }
}

/** The status an error of ours answers with: the API's own when it raised it, else its code's (500 for a code we do not know). */
export function statusOf(err: AppError): number {
  if (err instanceof HttpError) return err.httpStatus;
  return (HTTP_STATUS as Readonly<Record<string, number>>)[err.code] ?? 500;
}

export const badRequest = (message: string, details?: unknown) =>
  new HttpError(ERROR_CODES.INVALID_REQUEST, message, 400, details);
/** 400 listing each schema issue as `{ field, reason }`; an issue about the input as a whole names `whole`. */
export const badFields = (message: string, issues: readonly { path: readonly PropertyKey[]; message: string }[], whole: string) =>
  badRequest(message, issues.map((i) => ({ field: i.path.join('.') || whole, reason: i.message })));
export const unauthorized = (message = 'missing or unknown API key') => new HttpError(ERROR_CODES.UNAUTHORIZED, message, 401);
export const notFound = (message = 'not found') => new HttpError(ERROR_CODES.NOT_FOUND, message, 404);
export const conflict = (message: string) => new HttpError(ERROR_CODES.CONFLICT, message, 409);
/** 413 for a body over its byte cap; `details` names the cap, as the backlog's 413 names its own. */
export const tooLarge = (limitBytes: number) =>
  new HttpError(ERROR_CODES.PAYLOAD_TOO_LARGE,
    `body is larger than the cap of ${limitBytes.toLocaleString('en-US')} bytes; split it into smaller requests`, 413,
    { limit: 'body_bytes', max_body_bytes: limitBytes });
export const unsupportedMediaType = (message: string) =>
  new HttpError(ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, message, 415);

/** An error the caller may retry after a while: the answer carries `Retry-After` in seconds. */
export class RetryLaterError extends HttpError {
  constructor(code: string, message: string, httpStatus: number, details: unknown, public retryAfterSeconds: number) {
    super(code, message, httpStatus, details);
  }
}
/** 429: a limit was hit; `details.limit` names which, Retry-After (whole seconds, >= 1) says when to retry. */
export const tooManyRequests = (message: string, retryAfterSeconds: number, details: Record<string, unknown>) => {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new RetryLaterError(ERROR_CODES.TOO_MANY_REQUESTS, message, 429, { ...details, retry_after_seconds: seconds }, seconds);
};
/**
 * 503 for an upload still arriving when the API's shutdown grace ran out: nothing of it was
 * kept, so the caller sends it again (to another replica) at once.
 */
export const shuttingDown = () =>
  new RetryLaterError(ERROR_CODES.UNAVAILABLE,
    'the API is shutting down and the upload had not arrived in time: nothing of it was kept; send it again', 503,
    { reason: 'shutting_down', retry_after_seconds: 1 }, 1);
export const storageUnavailable = () =>
  new HttpError(ERROR_CODES.UNAVAILABLE, 'storage is unavailable, retry later', 503);

// Thrown by our own code when it is wrong; never by a dependency that is down.
const BUG_TYPES = [TypeError, RangeError, ReferenceError, SyntaxError];

/**
 * Turns a failure of Redis or BullMQ into a 503 the caller can retry. Their connection errors
 * have no common class, so anything that is not a programming error counts as "unavailable";
 * programming errors stay as they are and end up as a logged 500.
 */
export function asUnavailable(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (BUG_TYPES.some((t) => err instanceof t)) return err;
  const e = storageUnavailable();
  e.cause = err;
  return e;
}

/** Awaits a call to Redis or BullMQ, mapping its failure with asUnavailable. */
export async function dependency<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw asUnavailable(err);
  }
}

/** Every error answer has VOD's shape (ErrorBody in the contract), so callers parse one format whatever went wrong. */
export function errorBody(err: AppError): ErrorBody {
  const body: ErrorBody = { error_code: err.code, error_msg: err.message };
  if (err.details !== undefined) body.details = err.details;
  return body;
}

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(notFound(`no route for ${req.method} ${req.path}`));
};

/** `drain`: how much of a body still arriving is discarded after the refusal (lingering-close.ts). */
export function errorHandler(fallback: Logger, drain: DrainBounds): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const logger = logOf(res, fallback);
    if (res.headersSent) {
      // too late for an answer; express closes the connection
      logger.error({ err, route: res.locals.route }, 'error after the response started');
      next(err);
      return;
    }
    let appError: AppError;
    const status = clientErrorStatus(err);
    if (err instanceof AppError && statusOf(err) < 500) {
      appError = err;
    } else if (status !== null) {
      // errors raised by express or node on the caller's input (a malformed %-escape in the
      // path, a corrupt gzip body) are the caller's, never a 500
      appError = new HttpError(status === 413 ? ERROR_CODES.PAYLOAD_TOO_LARGE : status === 415 ? ERROR_CODES.UNSUPPORTED_MEDIA_TYPE : ERROR_CODES.INVALID_REQUEST,
        status === 413 ? 'request body too large' : `bad request: ${(err as Error).message}`, status);
    } else if (err instanceof AppError && err.code === ERROR_CODES.UNAVAILABLE) {
      logger.warn({ err: err.cause ?? err, route: res.locals.route }, 'storage unavailable');
      appError = err;
    } else {
      logger.error({ err, method: req.method, route: res.locals.route }, 'unhandled error');
      appError = new HttpError(ERROR_CODES.INTERNAL, 'internal error', 500);
    }
    // a route may have set its own challenge (the admin UI asks for Basic)
    const httpStatus = statusOf(appError);
    if (httpStatus === 401 && !res.get('WWW-Authenticate')) res.set('WWW-Authenticate', 'Bearer');
    if (appError instanceof RetryLaterError) res.set('Retry-After', String(appError.retryAfterSeconds));
    // refused before the body was all read: the rest is discarded, within bounds, before closing
    if (!req.complete) closeAfterDraining(req, res, drain);
    res.status(httpStatus).json(errorBody(appError));
  };
}

/** The 4xx status an error from express/body parsing/zlib carries, or null. */
function clientErrorStatus(err: unknown): number | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as { status?: unknown; statusCode?: unknown; code?: unknown };
  const status = Number(e.status ?? e.statusCode);
  if (Number.isInteger(status) && status >= 400 && status < 500) return status;
  if (typeof e.code === 'string' && e.code.startsWith('Z_')) return 400;
  return null;
}
