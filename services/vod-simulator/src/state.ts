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
  /**
   * The 202 was handed to the caller's connection. False while it is being written, and for
   * good when the connection closed first or the answer was lost on purpose (lostAnswerRate):
   * the caller cannot know VOD acted on the call.
   */
  answerDelivered: boolean;
  /** ShowRefreshResult calls for this task: 0 means its caller never learned or never used the task id. */
  polls: number;
}

export interface Arrival {
  projectId: string;
  at: number;
  /** RefreshAsset (POST) or ShowRefreshResult (GET) */
  api: 'refresh' | 'show_result';
}

export interface IamLogin {
  at: number;
  domain: string;
  user: string;
  /** a token was issued */
  accepted: boolean;
}

export interface SimState {
  config: ResolvedConfig;
  now: () => number;
  logger: Logger;
  calls: AcceptedCall[];
  /** arrival time of every RefreshAsset and ShowRefreshResult call, answered or not */
  arrivals: Arrival[];
  /** every POST /v3/auth/tokens, accepted or refused */
  iamLogins: IamLogin[];
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
    iamLogins: [],
    ledger: createUsageLedger(),
    faults: createFaultPlan(config.faults),
    pending: createPending(),
    scripts: createScriptBook(),
    tokens: createTokenRegistry(),
    failingByTask: new Map(),
  };
}

/**
 * Forgets calls, arrivals, IAM logins, usage, scripted answers, rejected and failing items, and replays the fault
 * sequence from its seed; fault settings and issued tokens stay.
 */
export function resetState(state: SimState): void {
  state.calls.length = 0;
  state.arrivals.length = 0;
  state.iamLogins.length = 0;
  state.ledger.clear();
  state.faults.reseed();
  state.scripts.clear();
  state.failingByTask.clear();
}
