import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Attributes, type Link, type Span } from '@opentelemetry/api';

/**
 * The spans the services make themselves, on the OpenTelemetry API alone (a no-op until an SDK
 * is registered, and already loaded by prom-client). Attribute values are ids, counts, classes
 * and codes: never an item, a URL, a key or a token (scrub.ts censors what slips through).
 */
export const tracer = () => trace.getTracer('vod-refresh');

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The W3C traceparent of the active span, or undefined when nothing is traced. */
export function currentTraceparent(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  if (!ctx || !trace.isSpanContextValid(ctx)) return undefined;
  return `00-${ctx.traceId}-${ctx.spanId}-${(ctx.traceFlags & 1).toString(16).padStart(2, '0')}`;
}

/** Links to the spans these traceparents name (malformed ones are skipped), at most `max`. */
export function linksTo(traceparents: Iterable<string>, max: number): { links: Link[]; dropped: number } {
  const links: Link[] = [];
  let dropped = 0;
  const seen = new Set<string>();
  for (const tp of traceparents) {
    const m = TRACEPARENT.exec(tp);
    if (!m || seen.has(tp)) continue;
    seen.add(tp);
    if (links.length >= max) {
      dropped++;
      continue;
    }
    links.push({ context: { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true } });
  }
  return { links, dropped };
}

/**
 * Runs `fn` in a new span of its own trace (a root: one operation serving many requests is no
 * request's child) linked to `links`, and ends it; an exception is recorded and rethrown.
 */
export async function inLinkedSpan<T>(
  name: string,
  opts: { links: Link[]; attributes: Attributes; startTime?: number; kind?: SpanKind },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(name, { root: true, kind: opts.kind ?? SpanKind.INTERNAL, links: opts.links, attributes: opts.attributes, ...(opts.startTime !== undefined && { startTime: opts.startTime }) }, ROOT_CONTEXT);
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    span.end();
  }
}

/** An event on the active span (a BullMQ job's), if one is recorded. */
export function noteOnActiveSpan(name: string, attributes: Attributes): void {
  trace.getActiveSpan()?.addEvent(name, attributes);
}

/**
 * Runs `fn` outside any span, so that the Redis commands it sends make none: the ioredis
 * instrumentation traces a command only inside a span (start-tracing.ts). For the commands a
 * large upload repeats for every chunk, staged or coalesced: a span for each cost about a tenth
 * of ingest throughput with tracing on (docs/benchmarks.md, "Tracing cost"), and a trace of
 * thousands of them tells less than the one event with their count that the caller notes on its
 * own span. Only what `fn` starts runs outside: the caller is back in its own context as soon as
 * `fn` returns, and so is an await of its promise.
 */
export function withoutCommandSpans<T>(fn: () => T): T {
  return context.with(ROOT_CONTEXT, fn);
}
