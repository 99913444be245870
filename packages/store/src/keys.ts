import { hash } from 'node:crypto';
import type { ItemKind, Priority } from '@refresh/core';

/**
 * Every Redis key the service uses is named here and nowhere else.
 *
 * Keys of one tenant share the hash tag `{tenant}` so that every script, which only ever
 * touches one tenant, runs unchanged on Redis Cluster. Requests belong to one tenant and
 * carry its id (`<tenant>.<random>`), so their keys live in the tenant's slot too.
 */
export const KIND_CODE: Record<ItemKind, string> = { asset_id: 'a', url: 'u' };
export const PRIORITY_CODE: Record<Priority, string> = { high: 'h', normal: 'n', low: 'l' };
const QUEUE_ORDER: Array<[ItemKind, Priority]> = [
  ['asset_id', 'high'], ['asset_id', 'normal'], ['asset_id', 'low'],
  ['url', 'high'], ['url', 'normal'], ['url', 'low'],
];

/** Hex digits of the SHA-1 of an item key that index it: DIGEST_HEX in lua/includes/pending-index.lua. */
export const DIGEST_HEX = 12;

/** The digest of an item key in the pending index, as the scripts compute it. */
export function itemDigest(itemKey: string): string {
  // crypto.hash, one call without a Hash object: three times as fast on short keys
  return hash('sha1', itemKey, 'hex').slice(0, DIGEST_HEX);
}

/** Slots per bucket of packed pending instances: PACK_BUCKET in lua/includes/instances.lua. */
export const PACK_BUCKET = 1024;

/** A packed instance's record, or null when its slot is empty (the instance is whole, or gone). */
export function parsePacked(record: string | null): { v: string; r: string; t: string } | null {
  if (!record) return null;
  const [v = '', r = '', t = ''] = record.split('\t');
  // the enqueue time is kept in base 36 (lua/includes/instances.lua)
  return { v, r, t: String(parseInt(t, 36)) };
}

export function tenantKeys(prefix: string, tenant: string) {
  const t = `${prefix}:{${tenant}}:`;
  return {
    /**
     * LIST of pending instance ids, FIFO, one per kind, priority and caller (the caller's lane).
     * The lane of no caller ('') is the queue without a suffix: requests recorded without a
     * caller, and backlogs written before lanes existed, wait there.
     */
    queue: (kind: ItemKind, priority: Priority, caller = '') =>
      `${t}q:${KIND_CODE[kind]}:${PRIORITY_CODE[priority]}${caller ? `:${caller}` : ''}`,
    /** prefix of the callers' queues: `<queuePrefix><kind code>:<priority code>:<caller>` */
    queuePrefix: `${t}q:`,
    /** the six queues of the lane of no caller, in the order the scripts expect them */
    allQueues: () => QUEUE_ORDER.map(([k, p]) => `${t}q:${KIND_CODE[k]}:${PRIORITY_CODE[p]}`),
    /**
     * ZSET the tenant's scheduled requests not coalesced yet: request id scored by its not_before
     * (epoch ms). Added when such a request is recorded, removed when its ingest starts.
     */
    scheduled: `${t}scheduled`,
    /**
     * ZSET item key → epoch ms it was last claimed, kept for the tenant's minRefreshIntervalMs
     * (claim-batch.lua adds, and trims what is older); only written when that interval is set.
     */
    lastSent: `${t}sent`,
    /** ZSET instance id → epoch ms it may go: items held by the debounce (coalesce-items.lua) */
    held: `${t}held`,
    /** SET of the callers that have a lane (coalesce-items.lua adds them; it never shrinks) */
    lanes: `${t}lanes`,
    /**
     * HASH the fair-queuing state per priority code (claim-batch.lua): `v:<p>` the virtual time,
     * `f:<p>:<caller>` the caller's finish tag (start-time fair queuing, in micro-units).
     */
    fair: `${t}fair`,
    /**
     * The coalescing index: which instance of an item is pending (lua/includes/pending-index.lua).
     * `pend:d` HASH digest of the item key → instance id; `pend:x` HASH item key → id for an item
     * whose digest another pending item has. `pend` itself (HASH item key → id) is the index of
     * versions before the digest, still read and drained; scripts reach the other two from it.
     */
    pending: `${t}pend`,
    pendingDigests: `${t}pend:d`,
    pendingCollisions: `${t}pend:x`,
    /** STRING counter of instance ids */
    seq: `${t}seq`,
    /** prefix of instance HASHes (`i:<id>`) and their extra-links SETs (`i:<id>:l`) */
    instancePrefix: `${t}i:`,
    /** HASH of a whole instance (claimed, or anything but a plain pending one) */
    instance: (id: string | number) => `${t}i:${id}`,
    /**
     * LIST of packed pending instances (lua/includes/instances.lua): the bucket of instance `id`,
     * whose record is at index id mod PACK_BUCKET, "<item key>\t<first request>\t<t in base 36>" or ''.
     */
    packedBucket: (id: string | number) => `${t}i:p:${Math.floor(Number(id) / PACK_BUCKET)}`,
    /** HASH bucket → its packed records still there (a bucket with none is deleted) */
    packedCounts: `${t}i:pc`,
    /** STRING items reserved on a budget day */
    budget: (dayId: string) => `${t}budget:${dayId}`,
    /**
     * HASH caller → milli-units of that day's budget charged to it: every change of the day's
     * counter by a batch changes these by the same amount, an item's unit split equally between
     * the callers that asked for it ('' for requests of no caller), so they add up to the counter
     * (VOD's quota refusal, which raises the counter to the limit, is the one unattributed part).
     * Kept 400 days, with the day's ledger.
     */
    charges: (dayId: string) => `${t}charges:${dayId}`,
    /**
     * HASH the spend ledger of a budget day: counters of what its units went on and what was
     * saved (fields in lua/includes/ledger.lua), kept 400 days like the day's charges.
     */
    ledger: (dayId: string) => `${t}ledger:${dayId}`,
    ledgerPrefix: `${t}ledger:`,
    /** HASH of one upstream batch */
    batch: (batchId: string) => `${t}b:${batchId}`,
    batchPrefix: `${t}b:`,
    /** prefix of request keys */
    requestPrefix: `${t}r:`,
    request: (requestId: string) => `${t}r:${requestId}`,
    requestItems: (requestId: string) => `${t}r:${requestId}:items`,
    requestSeen: (requestId: string) => `${t}r:${requestId}:seen`,
    requestStage: (requestId: string) => `${t}r:${requestId}:stage`,
    requestTasks: (requestId: string) => `${t}r:${requestId}:tasks`,
    idempotency: (keyHash: string) => `${t}idem:${keyHash}`,
    /** HASH the tenant's IAM token {tok, exp (epoch ms)}, shared by every replica; PX to its expiry */
    token: `${t}iam:token`,
    /** STRING owner id of the replica fetching a new IAM token (SET NX PX) */
    tokenLock: `${t}iam:lock`,
    /** HASH why sending is paused (reason, code, message, since, probeAt); absent when sending */
    pause: `${t}pause`,
    /** STRING epoch ms until which no call goes out (VOD throttled us); expires then */
    throttle: `${t}throttle`,
    /** STRING the call pace's theoretical arrival time, epoch µs (acquire-call-slot.lua) */
    rate: `${t}rate`,
    /**
     * STRING lines of the tenant's requests received but not yet coalesced: raised by
     * admit-request.lua, lowered by coalesce-items, finish-ingest and discard-request. With the
     * pending index it is the backlog the tenant's cap (maxBacklogItems) applies to.
     */
    staged: `${t}staged`,
    /** HASH request id → lines staged so far, of uploads still arriving (stage-chunk.lua) */
    uploads: `${t}uploads`,
    /**
     * STRING bytes of the lines of the tenant's recorded requests not yet coalesced (each request
     * keeps its own in `sb`); with `uploadBytes`, what the tenant's maxStagedBytes caps.
     */
    stagedBytes: `${t}staged:bytes`,
    /** HASH request id → bytes staged so far, of uploads still arriving (stage-chunk.lua) */
    uploadBytes: `${t}uploads:bytes`,
    /** ZSET request id → epoch ms the upload's lease ends; renewed by each chunk */
    uploadLeases: `${t}uploads:lease`,
    /**
     * ZSET the completion outbox: `<request id>:<generation>` for each completion of a request
     * whose retire job has not run yet, scored by the instant it completed (epoch ms). The script
     * that completes a request adds it in the same step (includes/completion.lua); jobs.ts
     * relayCompletions turns each entry into a retire job on the completions queue, and
     * mark-retired.lua removes it when that job has run.
     */
    completions: `${t}completions`,
  };
}
export type TenantKeys = ReturnType<typeof tenantKeys>;

/**
 * Keys of an API caller. A caller spans tenants, so its keys have a hash tag of their own;
 * each is touched alone, so any slot will do on Redis Cluster.
 */
export function callerKeys(prefix: string, callerId: string) {
  return {
    /** STRING the caller's request pace, a theoretical arrival time in epoch µs (acquire-call-slot.lua) */
    rate: `${prefix}:{caller:${callerId}}:rate`,
    /** ZSET request id → lease end (epoch ms) of the caller's uploads being read (open-upload.lua) */
    uploads: `${prefix}:{caller:${callerId}}:uploads`,
    /** ZSET request id → epoch ms until which it counts as retained (open-upload.lua): maxRetainedRequests */
    requests: `${prefix}:{caller:${callerId}}:requests`,
    /** ZSET webhook job id → lease end (epoch ms) of the caller's deliveries under way (open-upload.lua) */
    webhooks: `${prefix}:{caller:${callerId}}:webhooks`,
  };
}

/**
 * Keys of a client address (core's clientAddress: an IPv4 address or an IPv6 /64), as the API
 * sees it. Touched alone, so the address is its own hash tag.
 */
export function addressKeys(prefix: string, address: string) {
  return {
    /** STRING refused keys presented from the address in its current window, PX its end (count-auth-failure.lua) */
    authFailures: `${prefix}:{addr:${address}}:authfail`,
  };
}

/**
 * BullMQ's prefix. The braces put every key of every queue in one slot, as BullMQ requires
 * on Redis Cluster.
 */
export function queuePrefix(prefix: string): string {
  return `${prefix}:{queues}`;
}

/** The pending index's three HASHes (lua/includes/pending-index.lua): their entries are the pending items. */
export function pendingHashes(k: TenantKeys): [string, string, string] {
  return [k.pending, k.pendingDigests, k.pendingCollisions];
}

/** Items pending for the tenant: the entries of the pending index's three HASHes. */
export async function pendingCount(redis: { hlen(key: string): Promise<number> }, k: TenantKeys): Promise<number> {
  const counts = await Promise.all(pendingHashes(k).map((h) => redis.hlen(h)));
  return counts.reduce((a, n) => a + n, 0);
}

/** `<tenant>.<random>`: tenant ids never contain a dot. */
export function tenantOfRequest(requestId: string): string | null {
  const dot = requestId.indexOf('.');
  if (dot <= 0) return null;
  const tenant = requestId.slice(0, dot);
  const rest = requestId.slice(dot + 1);
  return /^[A-Za-z0-9_-]{1,64}$/.test(tenant) && /^[A-Za-z0-9]{8,40}$/.test(rest) ? tenant : null;
}
