import type { ScriptName } from './registry';

/**
 * Replies reach us from ioredis as `unknown`; each script's typed function reads its reply with
 * these, so a reply that is not what the script's header promises fails loudly where it is read
 * instead of travelling on under a cast.
 */
export class ScriptReplyError extends Error {
  constructor(script: ScriptName, what: string) {
    super(`${script}: unexpected reply (${what})`);
    this.name = 'ScriptReplyError';
  }
}

/** An array reply (a Lua table). */
export function replyList(script: ScriptName, reply: unknown): unknown[] {
  if (!Array.isArray(reply)) throw new ScriptReplyError(script, `${typeof reply}, not a list`);
  return reply;
}

/** A status word the script answers with, one of `allowed`. */
export function oneOf<const T extends string>(script: ScriptName, value: unknown, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new ScriptReplyError(script, `status ${String(value)}`);
  return found;
}
