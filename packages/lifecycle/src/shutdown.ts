/**
 * How a service process stops (STYLE.md, "Shutdown in reverse order, with a deadline"): the
 * first SIGTERM or SIGINT runs the service's `stop` once and exits 0 when it resolves, 1 when it
 * fails; a deadline bounds it all, a dependency that never answers included, and exits 1 when it
 * passes. Each service's main.ts says only what to stop, in which order, and how long it may take.
 */

type LogFn = (fields: object, message: string) => void;

/** The part of a pino logger this uses. */
export interface ShutdownLogger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export interface ShutdownPlan {
  logger: ShutdownLogger;
  /** logged at the first signal, with the signal and `fields` */
  stopping: string;
  fields?: Record<string, unknown>;
  /** ms from the first signal until the process exits 1, whatever is still closing */
  deadlineMs: number;
  /** stops everything, in reverse order of start; resolves once all is closed */
  stop: () => Promise<void>;
  /**
   * Called on a second signal while stopping: the service gives up waiting for work in flight
   * (its grace) and still stops cleanly. Without it, the handlers are gone after the first
   * signal and a second one has Node's default effect: the process ends at once.
   */
  hurry?: () => void;
}

/** Installs the SIGTERM and SIGINT handlers; call it once, as soon as a signal should stop the service. */
export function installShutdown(plan: ShutdownPlan): void {
  const { logger, deadlineMs, hurry } = plan;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (hurry) {
        logger.warn({ signal }, 'second signal: ending the shutdown grace now');
        hurry();
      }
      return;
    }
    stopping = true;
    logger.info({ signal, ...plan.fields }, plan.stopping);
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, deadlineMs);
    deadline.unref();
    plan.stop().then(
      () => {
        logger.info({}, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    if (hurry) process.on(signal, () => onSignal(signal));
    else process.once(signal, () => onSignal(signal));
  }
}
