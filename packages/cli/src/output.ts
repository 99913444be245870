import { RefreshApiError, RefreshNetworkError, RefreshWaitTimeoutError } from '@refresh/client';
import { refusedUntilReset } from './exit-codes';

/** Machine output: one JSON document on stdout, nothing else ever goes there with --json. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Human output on stdout: `key: value` lines a script can still grep. */
export function printFields(fields: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) process.stdout.write(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
  }
}

export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** The error on stderr, with the service's code and the first problems it listed. */
export function reportError(err: unknown): void {
  if (err instanceof RefreshApiError) {
    note(`refresh: ${err.message}`);
    for (const line of describeDetails(err.details)) note(`  ${line}`);
    const reset = refusedUntilReset(err);
    if (reset) note(`  the tenant's backlog stays full until its budget resets at ${reset.toISOString()}; send it again after that`);
    else if (err.retryAfterSeconds !== undefined) note(`  retry after ${err.retryAfterSeconds} s`);
  } else if (err instanceof Error) {
    note(`refresh: ${err.message}`);
  } else {
    note(`refresh: ${String(err)}`);
  }
}

/**
 * The error as JSON for --json callers: always `{status, code, kind, message, details}`, null
 * where the service gave none (it was not reached, or the error is the CLI's own).
 */
export function errorJson(err: unknown): Record<string, unknown> {
  if (err instanceof RefreshApiError) {
    const reset = refusedUntilReset(err);
    return {
      error: { status: err.status, code: err.code, kind: err.kind, message: err.message, details: err.details ?? null, ...(reset && { resets_at: reset.toISOString() }) },
    };
  }
  const plain = (code: string, kind: string, message: string) => ({ status: null, code, kind, message, details: null });
  if (err instanceof RefreshWaitTimeoutError) return { error: plain('WAIT_TIMEOUT', 'timeout', err.message), request: err.lastView };
  if (err instanceof RefreshNetworkError) return { error: plain(err.code ?? 'NETWORK', 'network', err.message) };
  return { error: plain('UNEXPECTED', 'unexpected', err instanceof Error ? err.message : String(err)) };
}

const SHOWN_DETAILS = 10;

function describeDetails(details: unknown): string[] {
  if (!Array.isArray(details)) return details === undefined ? [] : [JSON.stringify(details)];
  const lines = details.slice(0, SHOWN_DETAILS).map((d: { line?: number; index?: number; field?: string; reason?: string }) => {
    const where = d.line !== undefined ? `line ${d.line}` : d.field !== undefined ? `${d.field}[${d.index}]` : `item ${d.index}`;
    return d.reason !== undefined ? `${where}: ${d.reason}` : JSON.stringify(d);
  });
  if (details.length > SHOWN_DETAILS) lines.push(`… and ${details.length - SHOWN_DETAILS} more`);
  return lines;
}
