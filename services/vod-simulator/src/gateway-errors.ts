/**
 * The answers the simulated API gateway and VOD give, with Huawei's codes and wire shape
 * `{error_code, error_msg}`. Status codes follow docs/upstream-vod.md.
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

// With a token: one IAM cannot decrypt (unknown, forged) is "wrong IAM authentication information".
export const BAD_TOKEN: ErrorAnswer = { status: 401, code: 'APIGW.0301', message: 'Incorrect IAM authentication information: decrypt token fail' };

// Expired, invalidated early, or scoped to another project (region): the doc's APIGW.0307.
export const TOKEN_EXPIRED: ErrorAnswer = { status: 401, code: 'APIGW.0307', message: 'The token must be updated' };

export const THROTTLED: ErrorAnswer = { status: 429, code: 'APIGW.0308', message: 'The throttling threshold has been reached' };

export const BACKEND_UNAVAILABLE: ErrorAnswer = { status: 502, code: 'APIGW.0201', message: 'Backend unavailable' };

export function illegalField(field: string): ErrorAnswer {
  return { status: 400, code: 'VOD.10053', message: `The request parameter is illegal, illegal field: ${field}.` };
}

// What Huawei documents each code to mean (docs/upstream-vod.md), for scripted answers without a message.
const DOCUMENTED_MEANINGS: Readonly<Record<string, string>> = {
  'VOD.10051': 'Internal error',
  'VOD.10052': 'Internal error',
  'VOD.10053': 'The request parameter is illegal',
  'VOD.10054': 'Authentication failed',
  'VOD.10055': 'The account has not been verified',
  'VOD.10056': 'The account is abnormal',
  'VOD.10057': 'Tenant check failed',
  'VOD.10060': 'The media asset status does not allow this operation',
  'VOD.10061': 'The media asset status does not allow this operation',
  'VOD.10062': 'The media asset or resource does not exist',
  'VOD.10081': 'The request parameter is illegal',
  'VOD.10083': 'The media asset status does not allow this operation',
  'VOD.10127': 'The API gateway rate limit has been reached',
  'APIGW.0201': 'Backend unavailable',
  'APIGW.0301': 'Incorrect IAM authentication information',
  'APIGW.0302': 'The IAM user is not authorized to access the API',
  'APIGW.0303': 'Incorrect app authentication information',
  'APIGW.0305': 'Incorrect authentication information',
  'APIGW.0306': 'API access denied',
  'APIGW.0307': 'The token must be updated',
  'APIGW.0308': 'The throttling threshold has been reached',
  'APIGW.0310': 'The project is unavailable',
};

export function scriptedError(answer: { status: number; code: string; message?: string | undefined }): ErrorAnswer {
  const message = answer.message ?? DOCUMENTED_MEANINGS[answer.code.replace(/^APIG\./, 'APIGW.')] ?? `Simulated error ${answer.code}`;
  return { status: answer.status, code: answer.code, message };
}

export function sendError(res: Response, answer: ErrorAnswer, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined) res.set('Retry-After', String(retryAfterSeconds));
  res.status(answer.status).json({ error_code: answer.code, error_msg: answer.message });
}
