/**
 * The answers the simulated API gateway and VOD give, with Huawei's codes and wire shape
 * `{error_code, error_msg}`. Status codes follow shared/upstream/huawei-vod.md.
 */
import type { Response } from 'express';

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

export const BAD_SIGNATURE: ErrorAnswer = {
  status: 401,
  code: 'APIGW.0301',
  message: 'Incorrect IAM authentication information: verify aksk signature fail',
};

// The gateway reports a stale X-Sdk-Date as "wrong authentication information" (APIGW.0305),
// apart from a bad signature, so a client can tell clock trouble from key trouble.
export const CLOCK_SKEW: ErrorAnswer = {
  status: 401,
  code: 'APIGW.0305',
  message: 'Incorrect authentication information: X-Sdk-Date differs from the server time by more than 15 minutes',
};

export const ACCESS_DENIED: ErrorAnswer = {
  status: 403,
  code: 'APIGW.0306',
  message: 'API access denied: the access key does not belong to this project',
};

// Huawei's answer to an unknown project id is not documented; "project unavailable" is the gateway's nearest code.
export const PROJECT_UNAVAILABLE: ErrorAnswer = { status: 403, code: 'APIGW.0310', message: 'The project is unavailable' };

export const THROTTLED: ErrorAnswer = { status: 429, code: 'APIGW.0308', message: 'The throttling threshold has been reached' };

export const BACKEND_UNAVAILABLE: ErrorAnswer = { status: 502, code: 'APIGW.0201', message: 'Backend unavailable' };

export function illegalField(field: string): ErrorAnswer {
  return { status: 400, code: 'VOD.10053', message: `The request parameter is illegal, illegal field: ${field}.` };
}

export function sendError(res: Response, answer: ErrorAnswer): void {
  res.status(answer.status).json({ error_code: answer.code, error_msg: answer.message });
}
