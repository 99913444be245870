/**
 * The gateway's checks, in its order. With an X-Auth-Token header: a token IAM issued (else
 * APIGW.0301), still valid (else APIGW.0307), then a known project, then a token scoped to that
 * project (else APIGW.0307, the doc's "wrong region"). Otherwise AK/SK: a valid signature (with a
 * fresh X-Sdk-Date), then a known project, then an access key that belongs to that project.
 */
import type { Request } from 'express';
import { verifySignature } from '@refresh/vod-client';
import {
  ACCESS_DENIED,
  BAD_SIGNATURE,
  BAD_TOKEN,
  CLOCK_SKEW,
  PROJECT_UNAVAILABLE,
  TOKEN_EXPIRED,
  type ErrorAnswer,
} from './gateway-errors';
import type { SimProject } from './options';
import type { TokenRegistry } from './tokens';

export type AuthResult = { ok: true; project: SimProject } | { ok: false; answer: ErrorAnswer };

export interface AuthContext {
  projects: readonly SimProject[];
  tokens: TokenRegistry;
  now: number;
  maxSkewMs: number;
}

export function authenticate(req: Request, body: Buffer, ctx: AuthContext): AuthResult {
  const token = req.get('x-auth-token');
  return token !== undefined ? byToken(req, token, ctx) : bySignature(req, body, ctx);
}

function byToken(req: Request, token: string, ctx: AuthContext): AuthResult {
  const issued = ctx.tokens.lookup(token);
  if (!issued) return { ok: false, answer: BAD_TOKEN };
  if (issued.revoked || issued.expiresAt <= ctx.now) return { ok: false, answer: TOKEN_EXPIRED };
  const project = ctx.projects.find((p) => p.projectId === req.params.project_id);
  if (!project) return { ok: false, answer: PROJECT_UNAVAILABLE };
  const scope = issued.user.project;
  if (project.name !== scope && project.projectId !== scope) return { ok: false, answer: TOKEN_EXPIRED };
  return { ok: true, project };
}

function bySignature(req: Request, body: Buffer, ctx: AuthContext): AuthResult {
  const verified = verifySignature({
    method: req.method,
    url: req.originalUrl,
    headers: req.headers,
    body,
    lookupSecret: (ak) => ctx.projects.find((p) => p.accessKey === ak)?.secretKey,
    now: ctx.now,
    maxSkewMs: ctx.maxSkewMs,
  });
  if (!verified.ok) return { ok: false, answer: verified.reason === 'clock-skew' ? CLOCK_SKEW : BAD_SIGNATURE };
  const project = ctx.projects.find((p) => p.projectId === req.params.project_id);
  if (!project) return { ok: false, answer: PROJECT_UNAVAILABLE };
  if (project.accessKey !== verified.accessKey) return { ok: false, answer: ACCESS_DENIED };
  return { ok: true, project };
}
