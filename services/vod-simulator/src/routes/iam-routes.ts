/**
 * IAM's POST /v3/auth/tokens, password method scoped to a project. A match with a configured
 * IAM user answers 201 with the token in X-Subject-Token and `token.expires_at` in the body
 * (microsecond ISO, as IAM writes it). Any mismatch answers 401 without saying which part was
 * wrong; a body that is not a password request answers 400. Errors use IAM's Keystone shape,
 * `{"error": {"code", "message", "title"}}`, not the gateway's `{error_code, error_msg}`.
 */
import express, { type Response, Router } from 'express';
import { z } from 'zod';
import type { SimState } from '../state';

const tokenRequestSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()).refine((methods) => methods.includes('password'), 'password method required'),
      password: z.object({
        user: z.object({ name: z.string(), password: z.string(), domain: z.object({ name: z.string() }) }),
      }),
    }),
    scope: z.object({ project: z.object({ name: z.string().optional(), id: z.string().optional() }) }),
  }),
});

export function iamRoutes(state: SimState): Router {
  const router = Router();
  // Raw bytes: Huawei's examples send `charset=utf8`, which express.json refuses (it wants "utf-").
  router.post('/v3/auth/tokens', express.raw({ type: () => true, limit: '64kb' }), (req, res) => {
    const parsed = tokenRequestSchema.safeParse(parseJson(req.body));
    if (!parsed.success) {
      iamError(res, 400, 'Bad Request', 'The request you have made is invalid.');
      return;
    }
    const { identity, scope } = parsed.data.auth;
    const given = identity.password.user;
    const user = state.config.iamUsers.find(
      (u) =>
        u.domain === given.domain.name &&
        u.user === given.name &&
        u.password === given.password &&
        (scope.project.name === u.project || (scope.project.id !== undefined && scopeIdMatches(state, scope.project.id, u.project))),
    );
    state.iamLogins.push({ at: state.now(), domain: given.domain.name, user: given.name, accepted: user !== undefined });
    if (!user) {
      state.logger.debug({ domain: given.domain.name, user: given.name }, 'IAM token refused');
      iamError(res, 401, 'Unauthorized', 'The username or password is wrong.');
      return;
    }
    const { token, issued } = state.tokens.issue(user, state.now(), state.config.tokenTtlMs);
    state.logger.debug({ domain: user.domain, user: user.user, project: user.project }, 'IAM token issued');
    res
      .status(201)
      .set('X-Subject-Token', token)
      .json({
        token: {
          expires_at: iamTime(issued.expiresAt),
          issued_at: iamTime(issued.issuedAt),
          methods: ['password'],
          project: { name: user.project },
          user: { name: user.user, domain: { name: user.domain } },
        },
      });
  });
  return router;
}

// A scope by id names a project whose name (or id) is the user's project.
function scopeIdMatches(state: SimState, id: string, userProject: string): boolean {
  return state.config.projects.some((p) => p.projectId === id && (p.name === userProject || p.projectId === userProject));
}

function parseJson(raw: unknown): unknown {
  try {
    return JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : '');
  } catch {
    return undefined;
  }
}

function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function iamError(res: Response, code: number, title: string, message: string): void {
  res.status(code).json({ error: { code, message, title } });
}
