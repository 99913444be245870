import { currentTraceparent } from '@refresh/telemetry';
import type { Response } from 'express';

export const TRACEPARENT_HEADER = 'traceparent';

/**
 * An accepted request's answer names its trace (W3C traceparent: the caller's trace continued,
 * or the one begun here), so a caller can find its request in the tracing backend. Nothing when
 * tracing is off.
 */
export function answerTraceparent(res: Response): void {
  const tp = currentTraceparent();
  if (tp) res.setHeader(TRACEPARENT_HEADER, tp);
}
