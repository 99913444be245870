/**
 * The faults, one after another from a seeded PRNG until the deadline: worker SIGKILLs, Redis
 * and API restarts, and spells of simulator misbehaviour (5xx, 429, hangs, slow answers, and
 * accepted calls whose answer is lost). The sequence of kinds and durations replays from the
 * seed; where each lands among the callers' requests depends on timing.
 */
import type { FaultStack } from './fault-stack';

export type FaultKind =
  | 'worker SIGKILL' | 'redis restart' | 'api restart' | 'vod 5xx' | 'vod 429' | 'vod hang' | 'vod slow' | 'vod lost answer';

const KINDS: Array<[FaultKind, number]> = [
  ['worker SIGKILL', 30], ['redis restart', 8], ['api restart', 10],
  ['vod 5xx', 11], ['vod 429', 10], ['vod hang', 10], ['vod slow', 10], ['vod lost answer', 11],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pick(random: () => number): FaultKind {
  let x = random() * KINDS.reduce((n, [, w]) => n + w, 0);
  for (const [kind, weight] of KINDS) {
    x -= weight;
    if (x < 0) return kind;
  }
  return KINDS[0]![0];
}

/** Runs faults until `until` (epoch ms); returns how many of each kind it injected. */
export async function runFaults(stack: FaultStack, random: () => number, until: number): Promise<Record<FaultKind, number>> {
  const counts = Object.fromEntries(KINDS.map(([k]) => [k, 0])) as Record<FaultKind, number>;
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
  while (Date.now() < until) {
    await sleep(between(500, 2000));
    const kind = pick(random);
    counts[kind] += 1;
    const spellMs = between(1500, 4000);
    switch (kind) {
      case 'worker SIGKILL': {
        const slot = between(0, stack.workers.length);
        await stack.workers[slot]?.stop('SIGKILL');
        await sleep(between(200, 2000));
        stack.startWorker(slot);
        break;
      }
      case 'redis restart':
        // SIGKILL, not a clean shutdown: with appendfsync always no acknowledged write may be lost
        await stack.redis?.stop('SIGKILL');
        await sleep(between(300, 1500));
        await stack.startRedis();
        break;
      case 'api restart':
        await stack.api?.stop(random() < 0.5 ? 'SIGKILL' : 'SIGTERM');
        await sleep(between(200, 1000));
        await stack.startApi();
        break;
      case 'vod 5xx':
        await spell(stack, { errorRate5xx: 0.4 }, spellMs);
        break;
      case 'vod 429':
        await spell(stack, { rate429: 0.4 }, spellMs);
        break;
      case 'vod hang':
        await spell(stack, { hangRate: 0.3 }, spellMs);
        break;
      case 'vod slow':
        // either side of the workers' 1,500 ms timeout
        await spell(stack, { latencyMs: between(400, 2500) }, spellMs);
        break;
      case 'vod lost answer':
        await spell(stack, { lostAnswerRate: 0.3 }, spellMs);
        break;
    }
  }
  return counts;
}

export const NO_FAULTS = { errorRate5xx: 0, rate429: 0, hangRate: 0, latencyMs: 0, lostAnswerRate: 0 };

async function spell(stack: FaultStack, faults: Record<string, number>, ms: number): Promise<void> {
  await stack.setSimFaults({ ...NO_FAULTS, ...faults });
  await sleep(ms);
  await stack.setSimFaults(NO_FAULTS);
}
