import { itemDigest } from './keys';

/**
 * A chunk of a request's item keys as coalesce-items.lua takes it: its distinct keys in order of
 * first appearance, their digests and (with asset cover) asset ids, each list packed as one
 * MessagePack array, and how many lines repeated a key before them.
 *
 * Redis runs the coalescing script of every chunk in turn and is what a large upload waits for, so
 * whatever can be done without it is done here, where a worker does it for the next chunk while
 * Redis runs this one:
 * - a chunk's repeats and digest collisions are found with a Map, at a fraction of what a Lua
 *   table costs Redis;
 * - the lists travel as three MessagePack arrays rather than 2n or 3n arguments. A client spends
 *   about a microsecond encoding each argument while Redis waits; Redis' cmsgpack unpacks an array
 *   as fast as it reads the same strings as arguments, and a Lua split of a joined string costs
 *   twice that (docs/benchmarks.md, "The compact backlog").
 */
export interface PreparedChunk {
  /** lines that repeated an earlier line's key: the script counts them as duplicates */
  repeats: number;
  /** the distinct keys, a MessagePack array of strings */
  keys: Buffer;
  /** their digests (`itemDigest`), a MessagePack array of strings */
  digests: Buffer;
  /** with asset cover: each distinct key's asset id ('' for none), a MessagePack array; else null */
  assetIds: Buffer | null;
  /**
   * no two different keys have one digest, counting the asset-id keys that the URLs' cover may
   * make; when false the script tells them apart itself
   */
  digestsDistinct: boolean;
}

/**
 * A MessagePack array of strings (array 32, each a str 8, 16 or 32), which Redis' cmsgpack reads.
 * None of the values may hold "\n" (it throws if one does): they are joined, written out as
 * UTF-8 once, and cut there again. This one shape is written here rather than by msgpackr, which writes a string under 64
 * characters with a JavaScript loop over its characters: for a chunk's keys and digests that cost
 * the worker 1.8 µs an item against 0.2 µs here (docs/benchmarks.md, "The compact backlog").
 */
export function packStrings(values: readonly string[]): Buffer {
  const bytes = Buffer.from(values.join('\n'), 'utf8');
  const out = Buffer.allocUnsafe(5 + bytes.length + 5 * values.length);
  out[0] = 0xdd;
  out.writeUInt32BE(values.length, 1);
  let at = 5;
  let from = 0;
  for (let i = 0; i < values.length; i++) {
    let end = from;
    while (end < bytes.length && bytes[end] !== 0x0a) end++;
    const length = end - from;
    if (length < 0x100) {
      out[at++] = 0xd9;
      out[at++] = length;
    } else if (length < 0x10000) {
      out[at++] = 0xda;
      at = out.writeUInt16BE(length, at);
    } else {
      out[at++] = 0xdb;
      at = out.writeUInt32BE(length, at);
    }
    at += bytes.copy(out, at, from, end);
    from = end + 1;
  }
  // a value that held "\n" was cut in two, and the last cut ends short of the bytes
  if (values.length > 0 && from !== bytes.length + 1) throw new Error('packStrings: a value holds a line break');
  return out.subarray(0, at);
}

/**
 * Prepares a chunk of item keys; `assetIds[i]` is the asset id of `itemKeys[i]`'s URL (null or ''
 * for none) when the tenant covers URLs by asset, undefined when it does not. `digestOf` is
 * itemDigest but in tests, which make digests collide.
 */
export function prepareChunk(
  itemKeys: readonly string[],
  assetIds?: ReadonlyArray<string | null>,
  digestOf: (key: string) => string = itemDigest,
): PreparedChunk {
  const keys: string[] = [];
  const digests: string[] = [];
  const assets: string[] | null = assetIds ? [] : null;
  let repeats = 0;
  let digestsDistinct = true;
  // digest -> the first key of the chunk that has it; keys after it with the same digest but not
  // the same characters (a collision) are told apart by `collided`
  const keyOf = new Map<string, string>();
  let collided: Set<string> | null = null;
  // with cover: digest -> the asset-id key a URL's carrier would have, and the asset ids seen
  const assetKeyOf = new Map<string, string>();
  const assetsSeen = new Set<string>();

  for (let i = 0; i < itemKeys.length; i++) {
    const key = itemKeys[i]!;
    // (a key holding "\n" is refused by packStrings, which would cut it in two)
    if (key === '') throw new Error('coalesce-items: an item key is never empty');
    const digest = digestOf(key);
    const first = keyOf.get(digest);
    if (first === key) {
      repeats++;
      continue;
    }
    if (first !== undefined) {
      digestsDistinct = false;
      collided ??= new Set();
      if (collided.has(key)) {
        repeats++;
        continue;
      }
      collided.add(key);
    } else {
      keyOf.set(digest, key);
    }
    const carrierKey = assetKeyOf.get(digest);
    if (carrierKey !== undefined && carrierKey !== key) digestsDistinct = false;
    keys.push(key);
    digests.push(digest);
    if (assets) {
      const assetId = assetIds?.[i] ?? '';
      assets.push(assetId);
      if (assetId !== '' && !assetsSeen.has(assetId)) {
        assetsSeen.add(assetId);
        const assetKey = `a:${assetId}`;
        const assetDigest = digestOf(assetKey);
        const itemKey = keyOf.get(assetDigest);
        const other = assetKeyOf.get(assetDigest);
        if ((itemKey !== undefined && itemKey !== assetKey) || (other !== undefined && other !== assetKey)) digestsDistinct = false;
        assetKeyOf.set(assetDigest, assetKey);
      }
    }
  }
  return { repeats, keys: packStrings(keys), digests: packStrings(digests), assetIds: assets ? packStrings(assets) : null, digestsDistinct };
}

/** Tells a prepared chunk from a list of item keys. */
export function isPreparedChunk(items: readonly string[] | PreparedChunk): items is PreparedChunk {
  return !Array.isArray(items);
}
