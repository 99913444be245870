import type { AppConfig } from '@refresh/config';
import { callbackUrlProblem } from '@refresh/core';
import type { RequestCallback } from '@refresh/store';
import type { Caller } from '../auth/auth';
import { badRequest } from '../http/errors';

/**
 * The completion webhook a request asks for, checked against its caller's allowlist now; the
 * worker checks again against the config in force when it sends. Absent → no webhook.
 */
export function callbackFor(config: AppConfig, caller: Caller, url: string | undefined): RequestCallback | undefined {
  if (url === undefined) return undefined;
  const webhook = config.callers.find((c) => c.id === caller.id)?.webhook;
  if (!webhook) throw badRequest(`caller ${caller.id} has no webhook configuration, so callback_url cannot be used`);
  const problem = callbackUrlProblem(url, webhook.allowedHosts);
  if (problem) throw badRequest(problem, [{ field: 'callback_url', reason: problem }]);
  return { url, caller: caller.id };
}
