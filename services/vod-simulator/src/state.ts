/** Everything a running simulator remembers, in one place so routes and the factory share it. */
import type { Logger } from 'pino';
import { createFaultPlan, type FaultPlan } from './faults';
import type { ResolvedConfig } from './options';
import { createPending, type Pending } from './pending';
import type { RefreshKind } from './refresh-body';
import { createScriptBook, type ScriptBook } from './scripts';
import { createTokenRegistry, type TokenRegistry } from './tokens';
import { createUsageLedger, type UsageLedger } from './usage-ledger';

export interface AcceptedCall {
  taskId: string;
  projectId: string;
  kind: RefreshKind;
  items: string[];
  /** Simulator clock, ms since epoch. */
  acceptedAt: number;
  /** Quota day (YYYY-MM-DD) in the configured time zone. */
  day: string;
}

export interface SimState {
  config: ResolvedConfig;
  now: () => number;
  logger: Logger;
  calls: AcceptedCall[];
  /** arrival time of every RefreshAsset call, answered or not */
  arrivals: Array<{ projectId: string; at: number }>;
  ledger: UsageLedger;
  faults: FaultPlan;
  pending: Pending;
  scripts: ScriptBook;
  tokens: TokenRegistry;
  /** taskId → its items that will end FAILED (failItems as it stood when the task was accepted). */
  failingByTask: Map<string, ReadonlySet<string>>;
}

export function createState(config: ResolvedConfig, now: () => number, logger: Logger): SimState {
  return {
    config,
    now,
    logger,
    calls: [],
    arrivals: [],
    ledger: createUsageLedger(),
    faults: createFaultPlan(config.faults),
    pending: createPending(),
    scripts: createScriptBook(),
    tokens: createTokenRegistry(),
    failingByTask: new Map(),
  };
}

/**
 * Forgets calls, usage, scripted answers, rejected and failing items, and replays the fault
 * sequence from its seed; fault settings and issued tokens stay.
 */
export function resetState(state: SimState): void {
  state.calls.length = 0;
  state.arrivals.length = 0;
  state.ledger.clear();
  state.faults.reseed();
  state.scripts.clear();
  state.failingByTask.clear();
}
