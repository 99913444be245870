import { itemKey, validateItem, type ItemKind } from '@refresh/core';
import { ItemChunkWriter, type Admission, type ItemChunk, type RequestStore } from '@refresh/store';
import { noteOnActiveSpan, withoutCommandSpans } from '@refresh/telemetry';
import { asUnavailable } from '../http/errors';

/** The first offenders are enough to fix an upload; listing all of a bad 10 GB file is not. */
export const MAX_PROBLEMS = 100;

/** Where an item was: its 0-based index, in a JSON field or among a text upload's items. */
export interface ItemRef {
  index: number;
  /** the JSON field the item came in (`asset_ids`, `urls`, `asset_id_list`) */
  field?: string;
  /** 1-based line number of a text upload (empty lines are skipped, so it may differ from index) */
  line?: number;
}
export type Problem = ItemRef & { reason: string };

/**
 * Validates a request's items as they arrive and stages the good ones in Redis, chunkItems at
 * a time, so memory stays bounded whatever the upload's size. Staging is as sent (`a:<id>`,
 * `u:<url>`); workers normalise. After the first bad item nothing more is staged (the request
 * will be refused) but validation goes on to report up to MAX_PROBLEMS offenders.
 */
export function createStaging(
  store: RequestStore,
  tenant: string,
  requestId: string,
  opts: {
    chunkItems: number;
    ttlSeconds: number;
    /**
     * Count the upload's lines in the tenant's backlog as they are staged, refusing a chunk the
     * cap has no room for: `refusal` makes the error thrown (429, or 413 beyond the cap alone).
     */
    backlog: {
      max: number;
      now: () => number;
      leaseMs: number;
      refusal: (backlog: number, incoming: number) => Promise<Error>;
      /** the tenant's maxStagedBytes, and the error of a chunk it has no room for */
      maxStagedBytes?: number;
      bytesRefusal?: (stagedBytes: number, incomingBytes: number) => Error;
    };
  },
) {
  // the chunk being filled: written out as one Buffer when full, so that no item's string waits for a Redis write
  const chunk = new ItemChunkWriter();
  let bad = 0;
  let received = 0;
  const byKind: Record<ItemKind, number> = { asset_id: 0, url: 0 };
  const problems: Problem[] = [];

  // the chunk written before the one being filled, still on its way to Redis: the upload is read
  // on while it is written, and waits for it only once the next chunk is full
  let writing: Promise<void> | null = null;
  // aborted with the error of a write that failed (a cap refused its chunk, Redis is down), so
  // that a streamed read stops at once and the caller hears it now, not a chunk later
  const failure = new AbortController();
  let chunksStaged = 0;

  async function write(items: ItemChunk, receivedSoFar: number): Promise<void> {
    const b = opts.backlog;
    let res: Admission;
    try {
      // one chunk of many: no span of its own (finish notes how many there were)
      res = await withoutCommandSpans(() => store.stageCounted(tenant, requestId, items, {
        ttlSeconds: opts.ttlSeconds, maxBacklog: b.max, now: b.now(), leaseMs: b.leaseMs, maxStagedBytes: b.maxStagedBytes,
      }));
      chunksStaged++;
    } catch (err) {
      throw asUnavailable(err);
    }
    if (res.admitted) return;
    if (res.stagedBytes !== undefined && b.bytesRefusal) throw b.bytesRefusal(res.stagedBytes, res.incomingBytes ?? 0);
    throw await b.refusal(res.backlog, receivedSoFar);
  }

  /**
   * Sends the chunk filled so far, after the one before it: a chunk is staged only once the one
   * before was admitted. Returns the write of the chunk before (the back-pressure), if any.
   */
  function flush(): Promise<void> | undefined {
    if (chunk.count === 0) return undefined;
    const items = chunk.take();
    const receivedSoFar = received;
    const before = writing;
    writing = (before ?? Promise.resolve()).then(() => write(items, receivedSoFar));
    // awaited by the next flush, finish or discard; told to the read at once through `failed`
    writing.catch((err: unknown) => {
      if (!failure.signal.aborted) failure.abort(err);
    });
    return before ?? undefined;
  }

  return {
    /** Returns a promise only when a chunk is written: awaiting it is the upload's back-pressure. */
    add(kind: ItemKind, value: string, ref: ItemRef): Promise<void> | undefined {
      received++;
      byKind[kind]++;
      const reason = validateItem(kind, value);
      if (reason !== null) {
        bad++;
        if (problems.length < MAX_PROBLEMS) problems.push({ ...ref, reason });
        chunk.clear();
        return undefined;
      }
      if (bad > 0) return undefined;
      chunk.add(itemKey(kind, value));
      return chunk.count >= opts.chunkItems ? flush() : undefined;
    },
    /** Writes what is buffered; only for a request that has no bad item. */
    async finish(): Promise<void> {
      flush();
      await writing;
      noteOnActiveSpan('ingest.staged', { 'refresh.ingest.items': received, 'refresh.ingest.chunks': chunksStaged });
    },
    /** Drops everything staged. Best effort: the staging list expires on its own anyway. */
    async discard(): Promise<void> {
      chunk.clear();
      // nothing was ever sent to Redis: nothing to drop
      if (!writing) return;
      await writing.catch(() => undefined);
      await store.discard(tenant, requestId).catch(() => undefined);
    },
    get received() {
      return received;
    },
    get byKind(): Readonly<Record<ItemKind, number>> {
      return byKind;
    },
    /** items that failed validation, all of them; only the first MAX_PROBLEMS are described */
    get bad() {
      return bad;
    },
    /** Aborts, with its error, once a chunk's write failed: a streamed read stops on it. */
    get failed(): AbortSignal {
      return failure.signal;
    },
    get problems(): readonly Problem[] {
      return problems;
    },
  };
}
export type Staging = ReturnType<typeof createStaging>;

/** Stages one JSON array of items, awaiting each chunk written (the upload's back-pressure). */
export async function stageList(staging: Staging, field: string, kind: ItemKind, values: readonly string[] | undefined): Promise<void> {
  if (!values) return;
  for (let index = 0; index < values.length; index++) {
    const pending = staging.add(kind, values[index] ?? '', { index, field });
    if (pending) await pending;
  }
}
