/**
 * A chunk of item keys as it goes to Redis to be staged: their UTF-8 bytes joined by "\n" in one
 * Buffer (an item key holds no newline: validation refuses whitespace and control characters), and
 * stage-chunk.lua splits it again. One Buffer a chunk, written as the items arrive, lets each
 * item's string die as soon as it is validated. Held as an array of strings until the chunk was
 * written, the items of a large upload outlived the young generation's collections, were
 * promoted, and made the API's heap grow by the size of the upload's tail (docs/benchmarks.md,
 * "The API's memory").
 */
export interface ItemChunk {
  /** the item keys' bytes, joined by "\n" */
  bytes: Buffer;
  /** how many item keys it holds */
  count: number;
  /** the item keys' bytes without the separators: what the tenant's staged bytes count */
  itemBytes: number;
}

/** UTF-8 needs at most 3 bytes for each UTF-16 code unit (a surrogate pair's 4 for two). */
const MAX_UTF8_PER_UNIT = 3;
const FIRST_SIZE = 16 * 1024;

/** Writes item keys one by one into chunks; `take` hands out what it holds and starts anew. */
export class ItemChunkWriter {
  private buf: Buffer;
  private length = 0;
  private items = 0;
  private itemBytes = 0;

  constructor(private sizeHint = FIRST_SIZE) {
    this.buf = Buffer.allocUnsafe(sizeHint);
  }

  get count(): number {
    return this.items;
  }

  add(key: string): void {
    const room = this.length + 1 + key.length * MAX_UTF8_PER_UNIT;
    if (room > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(room, 2 * this.buf.length));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    if (this.items > 0) this.buf[this.length++] = 0x0a;
    const written = this.buf.write(key, this.length, 'utf8');
    this.length += written;
    this.itemBytes += written;
    this.items++;
  }

  /**
   * The chunk written so far, which the writer lets go of: the Redis client may still read it
   * after the call it was given to returns (it sends a script's arguments again when Redis did
   * not know the script), so the next chunk goes into a Buffer of its own, sized like this one.
   */
  take(): ItemChunk {
    const chunk = { bytes: this.buf.subarray(0, this.length), count: this.items, itemBytes: this.itemBytes };
    // room for the last item's worst case too, so that a chunk like this one never grows
    this.sizeHint = Math.max(this.sizeHint, this.length + 4096);
    this.buf = Buffer.allocUnsafe(this.sizeHint);
    this.clear();
    return chunk;
  }

  /** Drops what is written (into the same Buffer: nobody else holds it). */
  clear(): void {
    this.length = 0;
    this.items = 0;
    this.itemBytes = 0;
  }
}

/** The chunk of a list of item keys. */
export function itemChunk(keys: readonly string[]): ItemChunk {
  const writer = new ItemChunkWriter(keys.reduce((n, k) => n + k.length + 1, 0) || 1);
  for (const key of keys) writer.add(key);
  return writer.take();
}

export function isItemChunk(items: readonly string[] | ItemChunk): items is ItemChunk {
  return !Array.isArray(items);
}
