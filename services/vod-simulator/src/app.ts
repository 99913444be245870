/**
 * A stand-in for Huawei VOD's refresh API and IAM's token API: the factory takes its options and
 * returns a server with a lifecycle, so tests start it on port 0 and own their instance.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import type { Faults, ScriptedAnswer, SimulatorOptions } from './options';
import { scriptedAnswerSchema, simulatorConfigSchema } from './options';
import { adminRoutes } from './routes/admin-routes';
import { iamRoutes } from './routes/iam-routes';
import { refreshRoutes } from './routes/refresh-routes';
import { createState, resetState, type AcceptedCall, type Arrival, type IamLogin } from './state';

export interface Simulator {
  /** Listens on `port` (default 0: any free port) and `host` (default 127.0.0.1). */
  start(port?: number, host?: string): Promise<{ url: string; port: number }>;
  /** Ends held (hanging) calls and closes every connection; safe to call twice. */
  stop(): Promise<void>;
  /** A copy of every accepted RefreshAsset call, oldest first. */
  calls(): AcceptedCall[];
  /** every RefreshAsset and ShowRefreshResult call as it arrived, refused ones included */
  arrivals(): Arrival[];
  /**
   * Forgets calls, usage, scripts, rejected and failing items, replays faults from their seed;
   * the fault settings and issued tokens stay.
   */
  reset(): void;
  setFaults(faults: Partial<Faults>): void;
  /** projectId → day (YYYY-MM-DD) → items accepted. */
  usage(): Record<string, Record<string, number>>;
  /**
   * The next `count` RefreshAsset calls on /v1/{projectId}/... answer this error, before anything
   * else is checked (faults, authentication, body, quota); nothing is recorded or counted. Scripts
   * for one project queue up in order. Also POST /_sim/script {projectId, count, ...answer}.
   */
  script(projectId: string, count: number, answer: ScriptedAnswer): void;
  /**
   * A RefreshAsset call for `projectId` naming any of `items` answers this error, after the
   * gateway and body checks and before the quota; it is not recorded or counted. Lasts until
   * reset(). Also POST /_sim/reject-items {projectId, items, ...answer}.
   */
  rejectItems(projectId: string, items: readonly string[], answer: ScriptedAnswer): void;
  /**
   * These items, in tasks accepted from now on, end FAILED instead of SUCCEED once the task is
   * done (taskDurationMs). Also POST /_sim/fail-items {items}.
   */
  failItems(items: readonly string[]): void;
  /** Every token issued so far is invalidated early (APIGW.0307). Also POST /_sim/expire-tokens. */
  expireTokens(): void;
  /** How many tokens POST /v3/auth/tokens has issued since start; reset() keeps counting. */
  tokensIssued(): number;
  /** Every POST /v3/auth/tokens with a password body, refused ones included, oldest first; reset() clears it. */
  iamLogins(): IamLogin[];
  /**
   * Changes an IAM user's password, as its owner would in the console: logins with the old
   * password are refused from now on and the user's tokens stop working (APIGW.0307).
   */
  setIamPassword(domain: string, user: string, password: string): void;
}

export function createSimulator(opts: SimulatorOptions): Simulator {
  const config = simulatorConfigSchema.parse(opts);
  const logger = opts.logger ?? pino({ level: 'silent' });
  const state = createState(config, opts.now ?? Date.now, logger);

  const app = express();
  app.disable('x-powered-by');
  app.use(refreshRoutes(state));
  app.use(iamRoutes(state));
  app.use(adminRoutes(state));

  let server: Server | undefined;

  return {
    async start(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('simulator already started');
      const listening = app.listen(port, host);
      server = listening;
      await new Promise<void>((resolve, reject) => {
        listening.once('listening', resolve);
        listening.once('error', (error) => {
          server = undefined;
          reject(error);
        });
      });
      const bound = (listening.address() as AddressInfo).port;
      const printable = host.includes(':') ? `[${host}]` : host;
      logger.info({ host, port: bound }, 'vod simulator listening');
      return { url: `http://${printable}:${bound}`, port: bound };
    },
    async stop() {
      const closing = server;
      server = undefined;
      state.pending.releaseAll();
      if (!closing) return;
      await new Promise<void>((resolve) => {
        closing.close(() => resolve());
        closing.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      });
    },
    calls: () => state.calls.map((call) => ({ ...call, items: [...call.items] })),
    arrivals: () => state.arrivals.map((a) => ({ ...a })),
    reset: () => resetState(state),
    setFaults: (faults) => state.faults.set(faults),
    usage: () => state.ledger.snapshot(),
    script(projectId, count, answer) {
      if (!Number.isInteger(count) || count < 0) throw new Error(`count must be a non-negative integer, got ${count}`);
      state.scripts.script(projectId, count, scriptedAnswerSchema.parse(answer));
    },
    rejectItems: (projectId, items, answer) => state.scripts.rejectItems(projectId, items, scriptedAnswerSchema.parse(answer)),
    failItems: (items) => state.scripts.failItems(items),
    expireTokens: () => state.tokens.expireAll(),
    tokensIssued: () => state.tokens.issuedCount(),
    iamLogins: () => state.iamLogins.map((l) => ({ ...l })),
    setIamPassword(domain, user, password) {
      const i = state.config.iamUsers.findIndex((u) => u.domain === domain && u.user === user);
      const current = state.config.iamUsers[i];
      if (!current) throw new Error(`no IAM user ${domain}/${user}`);
      state.config.iamUsers[i] = { ...current, password };
      state.tokens.expireUser(domain, user);
    },
  };
}
