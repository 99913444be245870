import type { ChainableCommander } from 'ioredis';
import type { TenantKeys } from '../keys';
import { queueScript, runScript, type ScriptArgs, type ScriptedRedis } from './registry';

interface Retired {
  requestId: string;
  /** the completion (generation) whose retire job ran */
  gen: number;
}

function markRetiredArgs(k: TenantKeys, r: Retired): ScriptArgs {
  return { keys: [k.request(r.requestId), k.completions], argv: [r.gen, r.requestId] };
}

/**
 * mark-retired.lua: completion `gen`'s retire job has run; it leaves the outbox. True when
 * recorded (false: the request is gone or at another generation).
 */
export async function markRetired(redis: ScriptedRedis, k: TenantKeys, r: Retired): Promise<boolean> {
  return 1 === Number(await runScript(redis, 'markRetired', markRetiredArgs(k, r)));
}

/** The same in a pipeline of a ScriptedRedis; its reply comes with the pipeline's. */
export function queueMarkRetired(pipe: ChainableCommander, k: TenantKeys, r: Retired): void {
  queueScript(pipe, 'markRetired', markRetiredArgs(k, r));
}
