/**
 * How main turns env (and an optional JSON file) into simulator settings. Called by main only,
 * never at import time. Env:
 *   SIM_PORT (default 9000), SIM_HOST (default 127.0.0.1), LOG_LEVEL (default info)
 *   SIM_CONFIG: path to a JSON SimulatorConfig; otherwise one demo project from
 *     SIM_PROJECT_ID, SIM_ACCESS_KEY, SIM_SECRET_KEY
 *   SIM_CLOCK_OFFSET_MS: added to Date.now (ms), to cross a quota day without waiting
 *   SIM_CLOCK_RATE, SIM_CLOCK_START_MS: run the clock faster, anchored at a wall instant, as the
 *     services' CLOCK_RATE and CLOCK_START_MS do (give all three the same values)
 *   SIM_FAULTS: JSON Faults, overriding the file's
 */
import { readFileSync } from 'node:fs';
import { MAX_CLOCK_RATE } from '@refresh/core';
import { z } from 'zod';
import { faultsSchema, simulatorConfigSchema, type SimulatorConfig } from './options';

const envSchema = z.object({
  SIM_PORT: z.coerce.number().int().min(0).max(65535).default(9000),
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIM_CONFIG: z.string().min(1).optional(),
  SIM_PROJECT_ID: z.string().min(1).default('0123456789abcdef0123456789abcdef'),
  SIM_ACCESS_KEY: z.string().min(1).default('DEMOACCESSKEY0000000'),
  SIM_SECRET_KEY: z.string().min(1).default('demo-secret-key-not-for-production'),
  SIM_CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
  SIM_CLOCK_RATE: z.coerce.number().positive().max(MAX_CLOCK_RATE).default(1),
  SIM_CLOCK_START_MS: z.coerce.number().int().positive().optional(),
  SIM_FAULTS: z.string().min(1).optional(),
});

export interface SimulatorSettings {
  port: number;
  host: string;
  logLevel: string;
  clockOffsetMs: number;
  /** clock ms per wall ms */
  clockRate: number;
  /** epoch ms the accelerated clock is anchored at; main's start when absent */
  clockStartMs?: number;
  config: SimulatorConfig;
}

export function settingsFromEnv(env: Record<string, string | undefined>): SimulatorSettings {
  const e = envSchema.parse(env);
  const fromFile = e.SIM_CONFIG ? simulatorConfigSchema.parse(JSON.parse(readFileSync(e.SIM_CONFIG, 'utf8'))) : undefined;
  const config: SimulatorConfig = fromFile ?? {
    projects: [{ projectId: e.SIM_PROJECT_ID, accessKey: e.SIM_ACCESS_KEY, secretKey: e.SIM_SECRET_KEY }],
  };
  if (e.SIM_FAULTS) config.faults = { ...config.faults, ...faultsSchema.partial().parse(JSON.parse(e.SIM_FAULTS)) };
  return {
    port: e.SIM_PORT, host: e.SIM_HOST, logLevel: e.LOG_LEVEL,
    clockOffsetMs: e.SIM_CLOCK_OFFSET_MS, clockRate: e.SIM_CLOCK_RATE, ...(e.SIM_CLOCK_START_MS !== undefined && { clockStartMs: e.SIM_CLOCK_START_MS }),
    config,
  };
}
