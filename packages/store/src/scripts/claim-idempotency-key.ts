import type { TenantKeys } from '../keys';
import { runScript, type ScriptedRedis } from './registry';
import { oneOf, replyList } from './reply';

/** Who an Idempotency-Key is bound to (claim-idempotency-key.lua). */
export type IdempotencyClaim =
  | { status: 'new' }
  | { status: 'same'; requestId: string }
  | { status: 'conflict'; requestId: string }
  | { status: 'pending'; requestId: string; leaseEndsAt: number };

/**
 * claim-idempotency-key.lua: binds the key to `requestId` unless it is bound already, for
 * `ttlSeconds`; a binding is its owner's alone for `leaseMs` from `now` before the request is recorded.
 */
export async function claimIdempotencyKey(
  redis: ScriptedRedis,
  k: TenantKeys,
  r: { keyHash: string; bodyHash: string; requestId: string; ttlSeconds: number; now: number; leaseMs: number },
): Promise<IdempotencyClaim> {
  const reply = await runScript(redis, 'claimIdempotencyKey', {
    keys: [k.idempotency(r.keyHash)],
    argv: [r.bodyHash, r.requestId, r.ttlSeconds, r.now, r.leaseMs, k.requestPrefix],
  });
  const [status, id, leaseEnd] = replyList('claimIdempotencyKey', reply);
  const requestId = String(id ?? '');
  switch (oneOf('claimIdempotencyKey', status, ['new', 'same', 'conflict', 'pending'])) {
    case 'new': return { status: 'new' };
    case 'same': return { status: 'same', requestId };
    case 'pending': return { status: 'pending', requestId, leaseEndsAt: Number(leaseEnd) };
    case 'conflict': return { status: 'conflict', requestId };
  }
}
