import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { RouteName } from '../ops/metrics';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** An incoming id is kept only if it is short and cannot smuggle anything into logs or headers. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:+/=-]{1,128}$/;

/**
 * The only request headers the request log carries: what helps to explain an answer (the kind
 * and size of the body, its framing, the client) and ids we hand out or echo. Everything else is
 * absent from the log, not masked: credentials (`Authorization`, VOD's `X-Auth-Token`, a
 * temporary credential's `X-Security-Token`, a proxy's cookies) and any header nobody has
 * thought of yet never reach it, whatever they are called.
 */
export const LOGGED_HEADERS: readonly string[] = [
  'content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'expect', 'user-agent',
  'x-request-id', 'x-refresh-tenant',
];

function loggedHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of LOGGED_HEADERS) {
    const v = headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Probes and scrapes come every few seconds: their lines are debug, not info. */
const QUIET_ROUTES: ReadonlySet<RouteName> = new Set(['healthz', 'readyz', 'metrics']);

/**
 * Gives every request an id (the caller's `X-Request-Id` if it is safe, else a new UUID),
 * echoes it in the answer, and a child logger carrying it for everything logged on the
 * request's behalf. Logs one line when the request ends, with the allowlisted headers only
 * (LOGGED_HEADERS).
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get(REQUEST_ID_HEADER);
    const reqId = incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, reqId);
    const log = logger.child({ reqId });
    res.locals.log = log;
    const started = process.hrtime.bigint();
    res.on('close', () => {
      const route = res.locals.route as RouteName | undefined;
      const entry = {
        req: { method: req.method, path: req.originalUrl.split('?')[0], headers: loggedHeaders(req.headers) },
        res: { status: res.writableFinished ? res.statusCode : null },
        route: route ?? 'unmatched',
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
      };
      if (!res.writableFinished) log.warn(entry, 'request ended before its answer was sent');
      else if (res.statusCode >= 500) log.warn(entry, 'request answered');
      else if (route && QUIET_ROUTES.has(route)) log.debug(entry, 'request answered');
      else log.info(entry, 'request answered');
    });
    next();
  };
}

/** The request's logger (carrying its id); `fallback` before requestLogging ran. */
export function logOf(res: Response, fallback: Logger): Logger {
  return (res.locals.log as Logger | undefined) ?? fallback;
}
