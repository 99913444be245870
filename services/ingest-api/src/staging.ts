import { itemKey, validateAssetId, validateUrl, type ItemKind } from '@refresh/core';
import type { Admission, RequestStore } from '@refresh/store';
import { asUnavailable } from './errors';

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
    backlog?: {
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
  let buffer: string[] = [];
  let wrote = false;
  let bad = 0;
  let received = 0;
  const byKind: Record<ItemKind, number> = { asset_id: 0, url: 0 };
  const problems: Problem[] = [];

  async function flush(): Promise<void> {
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = [];
    wrote = true;
    const b = opts.backlog;
    let refused: Admission | null = null;
    try {
      if (!b) await store.stage(tenant, requestId, chunk, opts.ttlSeconds);
      else {
        const res = await store.stageCounted(tenant, requestId, chunk, {
          ttlSeconds: opts.ttlSeconds, maxBacklog: b.max, now: b.now(), leaseMs: b.leaseMs, maxStagedBytes: b.maxStagedBytes,
        });
        if (!res.admitted) refused = res;
      }
    } catch (err) {
      throw asUnavailable(err);
    }
    if (!b || refused === null) return;
    if (refused.stagedBytes !== undefined && b.bytesRefusal) throw b.bytesRefusal(refused.stagedBytes, refused.incomingBytes ?? 0);
    throw await b.refusal(refused.backlog, received);
  }

  return {
    /** Returns a promise only when a chunk is written: awaiting it is the upload's back-pressure. */
    add(kind: ItemKind, value: string, ref: ItemRef): Promise<void> | undefined {
      received++;
      byKind[kind]++;
      const reason = kind === 'asset_id' ? validateAssetId(value) : validateUrl(value);
      if (reason !== null) {
        bad++;
        if (problems.length < MAX_PROBLEMS) problems.push({ ...ref, reason });
        buffer = [];
        return undefined;
      }
      if (bad > 0) return undefined;
      buffer.push(itemKey(kind, value));
      return buffer.length >= opts.chunkItems ? flush() : undefined;
    },
    /** Writes what is buffered; only for a request that has no bad item. */
    finish: flush,
    /** Drops everything staged. Best effort: the staging list expires on its own anyway. */
    async discard(): Promise<void> {
      buffer = [];
      if (!wrote) return;
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
