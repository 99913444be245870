import type { ItemKind } from '@refresh/core';
import type { RedisClient } from './connections';
import { KIND_CODE, tenantKeys } from './keys';

/**
 * One budget day of a tenant's spend ledger (lua/includes/ledger.lua writes it, in the scripts
 * that spend, refund and settle units), with the day's charges per caller. Units unless said.
 */
export interface LedgerDay {
  dayId: string;
  /** the day's limit when its first unit was spent; null for a day nothing was spent on */
  limit: number | null;
  /** every unit reserved for a call (a claim, or a retry's fresh reservation) */
  spent: number;
  /** units given back: the call provably never left */
  refunded: number;
  /** units of calls VOD accepted, refused for their items, or whose outcome we cannot know */
  accepted: number;
  refused: number;
  unknown: number;
  /** units reserved for a call that then waited past the reset (it spent on the next day) */
  voided: number;
  /** units VOD's quota refusal added to the counter (the account's quota was used elsewhere) */
  quota: number;
  /** units spent per kind */
  byKind: Record<ItemKind, number>;
  /** items the spent units carried (a URL an asset id covered is an item of the asset's unit) */
  items: number;
  /** units charged per caller, refunds taken off ('' for requests of no caller) */
  charges: Record<string, number>;
  /** units spent per caller and kind, refunds not taken off (only ever rises within the day) */
  spentByCaller: Record<string, Record<ItemKind, number>>;
  /** items that cost no unit of their own, by why */
  saved: { linked: number; debounced: number; covered: number };
  /** covered URLs VOD's verdict for their asset did not list, or whose asset VOD refused */
  coverMisses: number;
}

const KIND_OF_CODE: Record<string, ItemKind> = Object.fromEntries(Object.entries(KIND_CODE).map(([kind, code]) => [code, kind as ItemKind]));
const milli = (v: string | undefined) => Number(v ?? 0) / 1000;

/** A day's charges HASH (caller → milli-units) as units, callers at zero left out. */
export function chargesOf(raw: Record<string, string>): Record<string, number> {
  return Object.fromEntries(Object.entries(raw).filter(([, m]) => Number(m) !== 0).map(([c, m]) => [c, milli(m)]));
}

/** Turns a day's ledger and charges HASHes into a LedgerDay. */
export function parseLedgerDay(dayId: string, ledger: Record<string, string>, charges: Record<string, string>): LedgerDay {
  const n = (field: string) => Number(ledger[field] ?? 0);
  const spentByCaller: LedgerDay['spentByCaller'] = {};
  for (const [field, value] of Object.entries(ledger)) {
    const m = /^g:([au]):(.*)$/.exec(field);
    const kind = m && KIND_OF_CODE[m[1]!];
    if (!kind) continue;
    const row = (spentByCaller[m[2]!] ??= { asset_id: 0, url: 0 });
    row[kind] += milli(value);
  }
  return {
    dayId,
    limit: ledger.limit === undefined ? null : Number(ledger.limit),
    spent: n('spent'), refunded: n('refunded'), accepted: n('accepted'), refused: n('refused'), unknown: n('unknown'),
    voided: n('voided'), quota: n('quota'),
    byKind: { asset_id: n('kind:a'), url: n('kind:u') },
    items: n('items'),
    charges: chargesOf(charges),
    spentByCaller,
    saved: { linked: n('saved:linked'), debounced: n('saved:debounced'), covered: n('saved:covered') },
    coverMisses: n('miss'),
  };
}

/** Reads the ledger of each of `dayIds` (one pipeline: a tenant's keys share a slot). */
export async function readLedger(redis: RedisClient, prefix: string, tenant: string, dayIds: readonly string[]): Promise<LedgerDay[]> {
  if (dayIds.length === 0) return [];
  const k = tenantKeys(prefix, tenant);
  const pipe = redis.pipeline();
  for (const day of dayIds) pipe.hgetall(k.ledger(day)).hgetall(k.charges(day));
  const rows = (await pipe.exec()) ?? [];
  return dayIds.map((day, i) => {
    const [ledgerErr, ledger] = rows[2 * i] ?? [new Error('no reply'), null];
    const [chargesErr, charges] = rows[2 * i + 1] ?? [new Error('no reply'), null];
    if (ledgerErr) throw ledgerErr;
    if (chargesErr) throw chargesErr;
    return parseLedgerDay(day, ledger as Record<string, string>, charges as Record<string, string>);
  });
}
