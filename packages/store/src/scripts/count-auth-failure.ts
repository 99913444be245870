import { runScript, type ScriptedRedis } from './registry';
import { replyList } from './reply';

/** Where a client address stands: its refused keys in the current window, and when that ends. */
export interface AuthFailureState {
  failures: number;
  /** ms until the window ends (0 when there is none) */
  windowEndsInMs: number;
}

/** count-auth-failure.lua: counts one refused key from an address (addressKeys `authFailures`). */
export async function countAuthFailure(redis: ScriptedRedis, r: { failures: string; windowMs: number }): Promise<AuthFailureState> {
  const reply = await runScript(redis, 'countAuthFailure', { keys: [r.failures], argv: [r.windowMs] });
  const [n, ttl] = replyList('countAuthFailure', reply);
  return { failures: Number(n), windowEndsInMs: Math.max(0, Number(ttl)) };
}
