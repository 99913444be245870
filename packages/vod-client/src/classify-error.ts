/**
 * Turns a failure without an HTTP answer into a retry outcome. `reachedUpstream` is false only
 * with proof that nothing was sent: a refused or unresolvable connection, a connect timeout, or a
 * socket that never connected. Anything else (reset, response timeout) may have landed.
 */
import { isAxiosError } from 'axios';
import { CONNECT_TIMEOUT_CODE, requestConnected } from './agents';
import type { RetryOutcome } from './outcome';

const NEVER_LEFT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', CONNECT_TIMEOUT_CODE]);

export function classifyNetworkError(error: unknown, deadline: { hit: boolean; timeoutMs: number }): RetryOutcome {
  const code = errorCode(error);
  const connected = isAxiosError(error) ? requestConnected(error.request) : undefined;
  if (deadline.hit) {
    return {
      type: 'retry',
      code: 'TIMEOUT',
      message: `no complete answer within ${deadline.timeoutMs}ms`,
      reachedUpstream: connected ?? true,
    };
  }
  const reachedUpstream = !(code !== undefined && NEVER_LEFT.has(code)) && connected !== false;
  return {
    type: 'retry',
    ...(code !== undefined ? { code } : {}),
    message: error instanceof Error ? error.message : String(error),
    reachedUpstream,
  };
}

// AxiosError copies the system error's code; a wrapped cause is looked at one level down.
function errorCode(error: unknown): string | undefined {
  for (const e of [error, (error as { cause?: unknown } | undefined)?.cause]) {
    const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
    if (typeof code === 'string' && code !== 'ERR_CANCELED') return code;
  }
  return undefined;
}
