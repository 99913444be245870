/**
 * The gateway's checks, in its order: a valid AK/SK signature (with a fresh X-Sdk-Date), then a
 * known project, then an access key that belongs to that project.
 */
import type { Request } from 'express';
import { verifySignature } from '@refresh/vod-client';
import { ACCESS_DENIED, BAD_SIGNATURE, CLOCK_SKEW, PROJECT_UNAVAILABLE, type ErrorAnswer } from './gateway-errors';
import type { SimProject } from './options';

export type AuthResult = { ok: true; project: SimProject } | { ok: false; answer: ErrorAnswer };

export function authenticate(
  req: Request,
  body: Buffer,
  ctx: { projects: readonly SimProject[]; now: number; maxSkewMs: number },
): AuthResult {
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
