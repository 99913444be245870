/**
 * Fault injection for /v1 calls, drawn from a seeded PRNG so a run replays. Every call draws
 * the same four numbers whatever the rates are, so changing one rate does not shift the others.
 * Order: hang, then latency, then 429, then 5xx; a call that passes them all may still lose its
 * answer after being accepted (lostAnswerRate, RefreshAsset only).
 */
import { BACKEND_UNAVAILABLE, THROTTLED, type ErrorAnswer } from './gateway-errors';
import { DEFAULT_FAULTS, type Faults } from './options';
import { seededRandom } from './prng';

const DEFAULT_SEED = 1;

export type FaultDecision =
  | { hang: true }
  | { hang: false; latencyMs: number; answer?: ErrorAnswer; retryAfterSeconds?: number; loseAnswer?: boolean };

export interface FaultPlan {
  current(): Faults;
  set(partial: Partial<Faults>): void;
  /** Starts the random sequence again from the seed. */
  reseed(): void;
  draw(): FaultDecision;
}

export function createFaultPlan(initial: Partial<Faults>): FaultPlan {
  let faults: Faults = { ...DEFAULT_FAULTS, ...initial };
  let random = seededRandom(faults.seed ?? DEFAULT_SEED);
  return {
    current: () => ({ ...faults }),
    set(partial) {
      const given = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
      faults = { ...faults, ...given };
      if (partial.seed !== undefined) random = seededRandom(partial.seed);
    },
    reseed() {
      random = seededRandom(faults.seed ?? DEFAULT_SEED);
    },
    draw() {
      const [hang, throttle, fail, lose] = [random(), random(), random(), random()];
      if (hang < faults.hangRate) return { hang: true };
      if (throttle < faults.rate429) return { hang: false, latencyMs: faults.latencyMs, answer: THROTTLED, retryAfterSeconds: 1 };
      if (fail < faults.errorRate5xx) return { hang: false, latencyMs: faults.latencyMs, answer: BACKEND_UNAVAILABLE };
      return { hang: false, latencyMs: faults.latencyMs, loseAnswer: lose < (faults.lostAnswerRate ?? 0) };
    },
  };
}
