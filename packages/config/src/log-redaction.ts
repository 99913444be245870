/**
 * What every logger of the service redacts, by configuration rather than by care: pass
 * `LOG_REDACT` as pino's `redact` option. Field names are matched at any depth up to five
 * levels (pino's `*` matches array indices too), so a secret is censored whether it is logged
 * alone, inside a config object or inside request headers.
 */
export const SECRET_FIELDS = [
  'secretKey',
  'accessKey',
  'password',
  // a caller's webhook signing key (callers[*].webhook.secret)
  'secret',
  'apiKey',
  'token',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-auth-token',
  'x-api-key',
  // may carry a password: redis://:secret@host
  'REDIS_URL',
] as const;

/** levels of nesting below the log call's object that a field name is searched at */
const MAX_DEPTH = 4;

const access = (field: string) => (/^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `["${field}"]`);

function pathsFor(field: string): string[] {
  const top = access(field);
  const out = [top.startsWith('.') ? top.slice(1) : top];
  for (let depth = 1; depth <= MAX_DEPTH; depth++) out.push(`${'*.'.repeat(depth - 1)}*${top}`);
  return out;
}

export const LOG_REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap(pathsFor),
  // a tenant's whole credential block, whatever fields a later auth type adds
  'tenants[*].auth',
  'config.tenants[*].auth',
];

export const LOG_REDACT_CENSOR = '[redacted]';

/** pino's `redact` option; every process uses exactly this. */
export const LOG_REDACT = { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR };
