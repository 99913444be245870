import { AppError, clientAddress } from '@refresh/core';
import type { AuthFailures } from '@refresh/store';
import type { Request, RequestHandler } from 'express';
import type { ApiContext } from '../context';
import { dependency, statusOf, tooManyRequests } from '../http/errors';

/**
 * Failed authentication, limited per client address (config authFailures), on every API replica
 * together. Wraps an authenticator that throws 401 for a key it refuses:
 *
 * - a request presenting no key at all is left to it: it cannot guess anything;
 * - an address within its limit has its key checked; a refused one is counted, then answered 401;
 * - an address over its limit gets 429 `auth_failures` for every request presenting a key, valid
 *   or not, until its window ends. Accepting valid keys there would answer a correct guess
 *   differently from a wrong one and so leave guessing unlimited; the price is that a real
 *   caller sharing the address (behind one NAT, or a proxy when TRUST_PROXY is not set) waits
 *   out the window too. Callers from other addresses are not affected.
 */
export function withAuthFailureLimit(
  ctx: Pick<ApiContext, 'config' | 'metrics'>,
  failures: AuthFailures,
): (authenticate: RequestHandler) => RequestHandler {
  const { maxPerAddress: max, windowSeconds } = ctx.config.authFailures;
  const windowMs = windowSeconds * 1000;

  const blocked = (retryInMs: number) => {
    ctx.metrics.countRejection({ limit: 'auth_failures' });
    return tooManyRequests(`too many refused keys from this address; retry in ${Math.ceil(retryInMs / 1000)} s`, retryInMs / 1000, {
      limit: 'auth_failures',
      max_failures: max,
      window_seconds: windowSeconds,
    });
  };

  return (authenticate) => (req, res, next) => {
    if (!presentsKey(req)) {
      authenticate(req, res, next);
      return;
    }
    const address = clientAddress(req.ip ?? req.socket.remoteAddress ?? '');
    const check = async (): Promise<unknown> => {
      const before = await dependency(failures.read(address));
      if (before.failures >= max) throw blocked(before.windowEndsInMs);
      const refusal = runAuthenticate(authenticate, req, res);
      if (!(refusal instanceof AppError && statusOf(refusal) === 401)) return refusal;
      ctx.metrics.countAuthFailure();
      await dependency(failures.count(address, windowMs));
      return refusal;
    };
    check().then((err) => next(err), next);
  };
}

/** Any credentials at all: a guess, right or wrong. */
function presentsKey(req: Request): boolean {
  return req.headers.authorization !== undefined || req.headers['x-auth-token'] !== undefined;
}

/** Runs a synchronous authenticator; its error (thrown or passed on), or undefined when it accepted. */
function runAuthenticate(authenticate: RequestHandler, req: Request, res: Parameters<RequestHandler>[1]): unknown {
  let passed: unknown = undefined;
  let called = false;
  try {
    void authenticate(req, res, (err?: unknown) => {
      called = true;
      passed = err;
    });
  } catch (err) {
    return err;
  }
  // the authenticators here decide at once; one that did not would be a wiring bug
  if (!called) throw new TypeError('authenticate did not decide synchronously');
  return passed;
}
