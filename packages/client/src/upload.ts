import { Readable } from 'node:stream';

/**
 * What submit accepts:
 * - `{urls, assetIds}`: sent as JSON;
 * - `string[]`: lines, one asset id or URL each (a line with "://" is a URL), sent as text/plain;
 * - an `AsyncIterable<string>` of lines, or a `Readable` of text (a file, stdin): streamed as
 *   text/plain, never held in memory whole, so any size goes.
 */
export type SubmitItems = { urls?: readonly string[]; assetIds?: readonly string[] } | readonly string[] | AsyncIterable<string> | Readable;

export interface UploadBody {
  contentType: 'application/json' | 'text/plain; charset=utf-8';
  /** fresh body per attempt */
  make: () => unknown;
  /** false for a stream: it is consumed by the first attempt */
  repeatable: boolean;
  /** JSON bodies carry these fields; text/plain takes them in the query */
  json: boolean;
}

export function uploadBody(items: SubmitItems, extra: Record<string, unknown>): UploadBody {
  if (items instanceof Readable) {
    return { contentType: 'text/plain; charset=utf-8', make: once(() => items), repeatable: false, json: false };
  }
  if (Array.isArray(items)) {
    const text = (items as readonly string[]).join('\n');
    return { contentType: 'text/plain; charset=utf-8', make: () => text, repeatable: true, json: false };
  }
  if (isAsyncIterable(items)) {
    return { contentType: 'text/plain; charset=utf-8', make: once(() => Readable.from(lines(items))), repeatable: false, json: false };
  }
  const { urls, assetIds } = items as { urls?: readonly string[]; assetIds?: readonly string[] };
  const body = JSON.stringify({ urls, asset_ids: assetIds, ...extra });
  return { contentType: 'application/json', make: () => body, repeatable: true, json: true };
}

async function* lines(source: AsyncIterable<string>): AsyncGenerator<string> {
  for await (const line of source) yield `${line}\n`;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<string> {
  return typeof (x as AsyncIterable<string>)[Symbol.asyncIterator] === 'function';
}

function once<T>(make: () => T): () => T {
  let used = false;
  return () => {
    if (used) throw new Error('a streamed upload cannot be sent twice');
    used = true;
    return make();
  };
}
