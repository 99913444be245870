import { DelayedError, type Job } from 'bullmq';
import { inLinkedSpan, linksTo, noteOnActiveSpan } from '@refresh/telemetry';
import type { Span } from '@opentelemetry/api';

/** What a call to VOD can wait on before it leaves (docs/operations.md, "Follow one request"). */
export type WaitKind = 'pace_slot' | 'reserve' | 'throttle' | 'pause' | 'budget_day';

/** One wait, as carried in a dispatch job's data from the run that waited to the run that calls. */
export interface Wait {
  kind: WaitKind;
  /** epoch ms (wall) the wait began */
  at: number;
  /** epoch ms (worker clock) it was to end, when known */
  until?: number;
  /** ms it lasted, for waits inside one run */
  ms?: number;
}

/** a call links to at most this many requests (OpenTelemetry's default link limit) */
export const MAX_LINKED_REQUESTS = 128;

const WAIT_KINDS = new Set<string>(['pace_slot', 'reserve', 'throttle', 'pause', 'budget_day']);

function carriedWaits(data: unknown): Wait[] {
  const waits = (data as { waits?: unknown } | null)?.waits;
  if (!Array.isArray(waits)) return [];
  return waits.filter((w): w is Wait => typeof w === 'object' && w !== null && WAIT_KINDS.has((w as Wait).kind) && typeof (w as Wait).at === 'number');
}

/** What a traced call records on its span once its verdict is known. */
export interface CallVerdict {
  outcome: string;
  code?: string;
}

/**
 * The tracing of one dispatch job run: the waits it meets (carried over from the runs before it
 * that waited, in the job's data, when tracing is on) and one span per call to VOD, in a trace
 * of its own and linked to every request whose items the batch carries (a batch serves many
 * requests: a parent would be false). Off, every method costs nothing and reads nothing.
 */
export function createCallTrace(job: Job, on: boolean) {
  let waits = on ? carriedWaits(job.data) : [];
  const carried = waits.length > 0;
  let pace: Wait | null = null;
  // the span of the call under way: a wait inside it (its call slot) is an event on it
  let current: Span | null = null;

  return {
    /** waiting for the tenant's pace (claim or call slot), for `ms` */
    paced(ms: number): void {
      if (!on) return;
      if (current) {
        current.addEvent('wait.pace_slot', { 'refresh.wait.ms': Math.round(ms) });
        return;
      }
      if (pace) pace.ms = (pace.ms ?? 0) + ms;
      else waits.push((pace = { kind: 'pace_slot', at: Date.now(), ms }));
    },
    /** this job waits until `until` (worker clock) for `kind` */
    waits(kind: WaitKind, until?: number): void {
      if (!on) return;
      pace = null;
      waits.push({ kind, at: Date.now(), ...(until !== undefined && { until }) });
    },
    /** a wait of a run that holds no batch (reserve, budget day, batch window): on the job's own span */
    note(kind: WaitKind | 'batch_window' | 'pause_or_throttle', until?: number): void {
      if (on) noteOnActiveSpan(`wait.${kind}`, until === undefined ? {} : { 'refresh.wait.until': new Date(until).toISOString() });
    },
    /**
     * Runs one call in its span: linked to `requests` (traceparents), with the waits since the
     * last call as events, starting when the first of them began. The verdict becomes its
     * outcome; a call that ends in a wait (DelayedError) is `deferred`, not an error.
     */
    async call<T>(
      name: string,
      attributes: Record<string, string | number>,
      requests: () => Promise<string[]>,
      fn: () => Promise<T>,
      verdictOf: (result: T) => CallVerdict,
    ): Promise<T> {
      if (!on) return fn();
      const { links, dropped } = linksTo(await requests(), MAX_LINKED_REQUESTS);
      const mine = waits;
      waits = [];
      pace = null;
      const startTime = mine.length > 0 ? Math.min(Date.now(), ...mine.map((w) => w.at)) : undefined;
      const attrs = { ...attributes, 'refresh.requests.linked': links.length, ...(dropped > 0 && { 'refresh.requests.not_linked': dropped }) };
      const done = await inLinkedSpan(name, { links, attributes: attrs, ...(startTime !== undefined && { startTime }) }, async (span: Span) => {
        for (const w of mine) {
          span.addEvent(`wait.${w.kind}`, {
            ...(w.until !== undefined && { 'refresh.wait.until': new Date(w.until).toISOString() }),
            ...(w.ms !== undefined && { 'refresh.wait.ms': Math.round(w.ms) }),
          }, w.at);
        }
        current = span;
        try {
          const result = await fn();
          const v = verdictOf(result);
          span.setAttributes({ 'refresh.outcome': v.outcome, ...(v.code !== undefined && { 'vod.code': v.code }) });
          return { result };
        } catch (err) {
          if (!(err instanceof DelayedError)) throw err;
          // the call waits (midnight, a blocked tenant): not an error of the span
          span.setAttribute('refresh.outcome', 'deferred');
          return { deferred: err };
        } finally {
          current = null;
        }
      });
      if ('deferred' in done) throw done.deferred;
      return done.result;
    },
    /** before the run ends in a wait: keeps what it waited on for the run that calls */
    async keep(): Promise<void> {
      if (!on || (waits.length === 0 && !carried)) return;
      await job.updateData({ ...(job.data as object), waits });
    },
  };
}
export type CallTrace = ReturnType<typeof createCallTrace>;
