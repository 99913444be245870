/** Entry point: settings → logger → simulator → start → shutdown on SIGTERM/SIGINT. */
import { LOG_REDACT } from '@refresh/config';
import { acceleratedClock } from '@refresh/core';
import pino from 'pino';
import { createSimulator } from './app';
import { settingsFromEnv } from './settings-from-env';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main(): Promise<void> {
  const settings = settingsFromEnv(process.env);
  const logger = pino({
    name: 'vod-simulator',
    level: settings.logLevel,
    redact: LOG_REDACT,
  });
  const simulator = createSimulator({
    ...settings.config,
    now: acceleratedClock({ offsetMs: settings.clockOffsetMs, rate: settings.clockRate, startMs: settings.clockStartMs }).now,
    logger,
  });
  await simulator.start(settings.port, settings.host);
  if (settings.clockOffsetMs !== 0 || settings.clockRate !== 1) {
    logger.warn({ clockOffsetMs: settings.clockOffsetMs, clockRate: settings.clockRate, clockStartMs: settings.clockStartMs }, 'simulator clock is offset or accelerated');
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  pino({ name: 'vod-simulator', redact: LOG_REDACT }).fatal({ err: error }, 'failed to start');
  process.exit(1);
});
