import type { AttributeValue, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { scrubAttribute, scrubAttributes, stripUrls } from './scrub';

/**
 * First of the processors: rewrites a span's name, attributes and events' attributes with the
 * rules of scrub.ts while the span can still be changed (onEnding), so the exporters after it
 * only ever see what may leave the process.
 */
export class ScrubbingProcessor implements SpanProcessor {
  onStart(_span: Span, _parent: Context): void {}

  onEnding(span: Span): void {
    const name = stripUrls(span.name);
    if (name !== span.name) span.updateName(name);
    for (const [k, v] of Object.entries(span.attributes)) {
      const clean = scrubAttribute(k, v);
      if (clean !== v) span.setAttribute(k, clean as AttributeValue);
    }
    for (const event of span.events) {
      if (event.attributes) (event as { attributes: typeof event.attributes }).attributes = scrubAttributes(event.attributes);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
