/**
 * A chunk of item keys as it goes to Redis to be staged: their UTF-8 bytes joined by "\n" in one
 * Buffer (an item key holds no newline: validation refuses whitespace and control characters), and
 * stage-chunk.lua splits it again. The keys are gathered as strings while the chunk fills and
 * written out by one join when it is taken, so that none of them waits for the chunk's Redis
 * write: held until then, the items of a large upload outlived the young generation's
 * collections, were promoted, and made the API's heap grow by the size of the upload's tail
 * (docs/benchmarks.md, "The API's memory"). One join a chunk costs a fifth of writing each key
 * into a Buffer as it arrives, which is what this did before.
 */
export interface ItemChunk {
  /** the item keys' bytes, joined by "\n" */
  bytes: Buffer;
  /** how many item keys it holds */
  count: number;
  /** the item keys' bytes without the separators: what the tenant's staged bytes count */
  itemBytes: number;
}

/** Gathers item keys one by one into chunks; `take` hands out what it holds and starts anew. */
export class ItemChunkWriter {
  private keys: string[] = [];

  get count(): number {
    return this.keys.length;
  }

  add(key: string): void {
    this.keys.push(key);
  }

  /**
   * The chunk gathered so far, as one Buffer of its own: the Redis client may still read it after
   * the call it was given to returns (it sends a script's arguments again when Redis did not know
   * the script).
   */
  take(): ItemChunk {
    const chunk = itemChunk(this.keys);
    this.clear();
    return chunk;
  }

  /** Drops what is gathered. */
  clear(): void {
    this.keys = [];
  }
}

/** The chunk of a list of item keys: their UTF-8 bytes joined by "\n", in one Buffer of its own. */
export function itemChunk(keys: readonly string[]): ItemChunk {
  const bytes = Buffer.from(keys.join('\n'), 'utf8');
  return { bytes, count: keys.length, itemBytes: bytes.length - Math.max(0, keys.length - 1) };
}

export function isItemChunk(items: readonly string[] | ItemChunk): items is ItemChunk {
  return !Array.isArray(items);
}
