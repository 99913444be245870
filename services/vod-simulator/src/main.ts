/** Entry point: settings → logger → simulator → start → shutdown on SIGTERM/SIGINT. */
import { LOG_REDACT } from '@refresh/config';
import { acceleratedClock } from '@refresh/core';
import { installShutdown } from '@refresh/lifecycle';
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

  installShutdown({ logger, stopping: 'stopping', deadlineMs: SHUTDOWN_DEADLINE_MS, stop: () => simulator.stop() });
}

main().catch((error: unknown) => {
  pino({ name: 'vod-simulator', redact: LOG_REDACT }).fatal({ err: error }, 'failed to start');
  process.exit(1);
});
