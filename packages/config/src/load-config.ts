import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { demoFileConfig } from './demo';
import { interpolateEnv } from './interpolate';
import { envSchema, fileSchema, type EnvConfig, type FileConfig } from './schema';

export type AppConfig = FileConfig & { env: EnvConfig; source: string };

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

function describe(error: z.ZodError, where: string): string {
  return error.issues.map((i) => `${where}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}

/**
 * Reads env and the optional config file into one validated object. Called by each main.ts,
 * never at import time, so tests pass their own env and file. Throws ConfigError whose message
 * names every offending field.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): AppConfig {
  const envParsed = envSchema.safeParse(env);
  if (!envParsed.success) throw new ConfigError(describe(envParsed.error, 'env'));
  const e = envParsed.data;

  let raw: unknown;
  let source: string;
  if (e.REFRESH_CONFIG) {
    source = e.REFRESH_CONFIG;
    let text: string;
    try {
      text = readFile(source);
    } catch (err) {
      throw new ConfigError(`${source}: cannot read: ${(err as Error).message}`);
    }
    try {
      raw = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      throw new ConfigError(`${source}: not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
    }
  } else {
    source = 'built-in demo config';
    raw = demoFileConfig(env.SIMULATOR_URL);
  }
  try {
    raw = interpolateEnv(raw, env);
  } catch (err) {
    throw new ConfigError(`${source}: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describe(parsed.error, source));
  return { ...parsed.data, env: e, source };
}

/** Parses an already-built file object (tests, reloads) with the same rules. */
export function parseFileConfig(raw: unknown, env: Record<string, string | undefined> = {}): AppConfig {
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describe(parsed.error, 'config'));
  return { ...parsed.data, env: envSchema.parse(env), source: 'inline' };
}
