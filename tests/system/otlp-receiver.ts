import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as OTLP/JSON carries it (the fields the tests read). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  events?: Array<{ name: string; timeUnixNano: string; attributes?: Array<{ key: string; value: Record<string, unknown> }> }>;
  links?: Array<{ traceId: string; spanId: string }>;
}

export interface CollectedSpan extends OtlpSpan {
  service: string;
  attrs: Record<string, unknown>;
}

const valueOf = (v: Record<string, unknown>): unknown => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.boolValue ?? v.doubleValue ?? v;
const attrsOf = (list: OtlpSpan['attributes'] = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/**
 * A real OTLP/HTTP trace receiver on 127.0.0.1, port 0: it takes POST /v1/traces bodies in
 * OTLP/JSON (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json), keeps every byte that arrived and
 * the spans decoded from them.
 */
export async function startOtlpReceiver() {
  const bodies: Buffer[] = [];
  const spans: CollectedSpan[] = [];
  /** bodies that were not OTLP/JSON */
  const problems: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(Buffer.from(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n`), body);
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      let doc: {
        resourceSpans: Array<{ resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      try {
        doc = JSON.parse(body.toString('utf8')) as typeof doc;
      } catch (err) {
        problems.push(`${req.headers['content-type']} ${(err as Error).message}`);
        res.writeHead(400).end();
        return;
      }
      for (const rs of doc.resourceSpans) {
        const service = String(attrsOf(rs.resource.attributes)['service.name']);
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service, attrs: attrsOf(s.attributes) });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    spans,
    problems,
    /** every byte the exporters sent, request lines and headers included */
    bytes: () => Buffer.concat(bodies).toString('utf8'),
    /** the OTEL_* variables that make a service export here */
    env: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
    eventAttrs: attrsOf,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
