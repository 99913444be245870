/**
 * IAM's "obtain a user token through password authentication": the token comes back in the
 * X-Subject-Token header, its expiry in the body. Like the VOD calls, this resolves to an outcome
 * and never throws for anything IAM or the network does. A `rejected` outcome means the
 * credentials or the project name are wrong: a caller should stop using this tenant, not retry.
 */
import { classifyFailure } from './classify-response';
import { closeExchange, createExchange, send } from './http-exchange';
import type { RejectedOutcome, RetryOutcome } from './outcome';
import { iamTokenBody, parseIamErrorMessage, parseTokenExpiry, type IamCredentials } from './wire';

export interface IamTokenRequest extends IamCredentials {
  /** e.g. https://iam.cn-north-4.myhuaweicloud.com (default endpoint: https://iam.myhuaweicloud.com). */
  iamEndpoint: string;
  /** Whole call, connect to last byte (ms); also the connect deadline unless connectTimeoutMs is given. */
  timeoutMs: number;
  connectTimeoutMs?: number;
  /** Clock for Retry-After dates (ms since epoch). */
  now?: () => number;
}

export type IamTokenOutcome = { type: 'ok'; token: string; expiresAt: number } | RejectedOutcome | RetryOutcome;

export async function fetchIamToken(req: IamTokenRequest): Promise<IamTokenOutcome> {
  const base = new URL(req.iamEndpoint);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`unsupported IAM endpoint protocol: ${base.protocol}`);
  if (!(req.timeoutMs > 0)) throw new Error('timeoutMs must be positive');
  const now = req.now ?? Date.now;
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/v3/auth/tokens`, base).toString();
  const exchange = createExchange(req.connectTimeoutMs ?? req.timeoutMs);
  try {
    const answer = await send(
      exchange.http,
      { method: 'POST', url, headers: { 'Content-Type': 'application/json;charset=utf8' }, body: iamTokenBody(req) },
      req.timeoutMs,
    );
    if ('type' in answer) return answer;
    const token = answer.headers['x-subject-token'];
    const expiresAt = parseTokenExpiry(answer.body);
    if (answer.status >= 200 && answer.status < 300) {
      if (token && expiresAt !== undefined) return { type: 'ok', token, expiresAt };
      const missing = token ? 'a readable token.expires_at' : 'an X-Subject-Token header';
      return { type: 'retry', httpStatus: answer.status, message: `IAM answered ${answer.status} without ${missing}`, reachedUpstream: true };
    }
    const outcome = classifyFailure(answer, now());
    const message = parseIamErrorMessage(answer.body);
    return message !== undefined ? { ...outcome, message } : outcome;
  } finally {
    closeExchange(exchange);
  }
}
