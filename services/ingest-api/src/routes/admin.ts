import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';
import { unauthorized } from '../http/errors';
import { routeName } from '../ops/metrics';

export const ADMIN_QUEUES_PATH = '/admin/queues';

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
const BASIC = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i;

/** The presented admin key: a Bearer token, or the password of HTTP Basic (browsers), any user name. */
function presentedKey(header: string, allowBasic: boolean): string | undefined {
  const bearer = BEARER.exec(header);
  if (bearer?.[1]) return bearer[1];
  if (!allowBasic) return undefined;
  const basic = BASIC.exec(header);
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * Compared as SHA-256 in constant time, like callers' keys; the key is never stored or logged.
 * The UI also takes HTTP Basic, so that a browser asks for the key; the admin API takes Bearer only.
 */
export function adminAuthenticate(keySha256: string, opts: { basic: boolean } = { basic: true }): RequestHandler {
  const expected = Buffer.from(keySha256, 'hex');
  return (req, res, next) => {
    const key = presentedKey(req.get('authorization') ?? '', opts.basic);
    const presented = createHash('sha256').update(key ?? '', 'utf8').digest();
    if (key === undefined || !timingSafeEqual(presented, expected)) {
      // Basic makes a browser ask for the key; the error handler keeps this challenge
      if (opts.basic) res.set('WWW-Authenticate', 'Basic realm="refresh admin", charset="UTF-8"');
      throw unauthorized();
    }
    next();
  };
}

/**
 * bull-board on `/admin/queues`, for the given queues, behind the admin key. Null when the
 * config has no admin key: then the UI is not served at all (404).
 */
export function adminRoutes(keySha256: string | undefined, queues: Queue[], limitFailures: (auth: RequestHandler) => RequestHandler): Router | null {
  if (!keySha256) return null;
  const board = new ExpressAdapter();
  board.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'VOD refresh' } },
  });
  const router = Router();
  router.use(ADMIN_QUEUES_PATH, routeName('admin'), limitFailures(adminAuthenticate(keySha256)), board.getRouter() as RequestHandler);
  return router;
}
