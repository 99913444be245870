import type { SpendDayView } from '@refresh/contract';
import type { LedgerDay } from '@refresh/store';

export const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Units charged to each named caller, and what is left of `spent` for nobody: requests of no
 * caller ('' in the charges) and a quota refusal's raise. The budget and the ledger both show it.
 */
export function attribution(charges: Record<string, number>, spent: number): { byCaller: Record<string, number>; unattributed: number } {
  const byCaller = Object.fromEntries(Object.entries(charges).filter(([c]) => c !== '').map(([c, u]) => [c, round3(u)]));
  const attributed = Object.values(byCaller).reduce((a, u) => a + u, 0);
  return { byCaller, unattributed: round3(spent - attributed) };
}

/** Budget days from `from` to `to` (YYYY-MM-DD, inclusive): calendar labels, so UTC arithmetic. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** One day of the ledger as the API shows it; `limit` stands in for a day nothing was spent on. */
export function spendDayView(d: LedgerDay, limit: number): SpendDayView {
  const spent = d.spent - d.refunded + d.quota;
  const { byCaller, unattributed } = attribution(d.charges, spent);
  return {
    day: d.dayId,
    limit: d.limit ?? limit,
    spent,
    accepted: d.accepted,
    refused: d.refused,
    unknown_outcome: d.unknown,
    refunded: d.refunded,
    voided: d.voided,
    quota_raise: d.quota,
    by_kind: d.byKind,
    by_caller: byCaller,
    unattributed,
    items_carried: d.items,
    saved: d.saved,
    cover_misses: d.coverMisses,
  };
}

const COLUMNS: Array<[string, (d: SpendDayView) => number | string]> = [
  ['day', (d) => d.day], ['limit', (d) => d.limit], ['spent', (d) => d.spent], ['accepted', (d) => d.accepted],
  ['refused', (d) => d.refused], ['unknown_outcome', (d) => d.unknown_outcome], ['refunded', (d) => d.refunded],
  ['voided', (d) => d.voided], ['quota_raise', (d) => d.quota_raise], ['asset_id_units', (d) => d.by_kind.asset_id],
  ['url_units', (d) => d.by_kind.url], ['items_carried', (d) => d.items_carried], ['saved_linked', (d) => d.saved.linked],
  ['saved_debounced', (d) => d.saved.debounced], ['saved_covered', (d) => d.saved.covered], ['cover_misses', (d) => d.cover_misses],
  ['unattributed', (d) => d.unattributed],
];

/** An RFC 4180 cell: quoted when it holds a comma, a quote or a line break (only caller ids can). */
const cell = (v: number | string) => (typeof v === 'string' && /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : String(v));

/** The same days as CSV (RFC 4180): one row a day, a `caller:<id>` column for each of `callers`. */
export function spendCsv(days: readonly SpendDayView[], callers: readonly string[]): string {
  const header = [...COLUMNS.map(([name]) => name), ...callers.map((c) => `caller:${c}`)];
  const rows = days.map((d) => [...COLUMNS.map(([, value]) => value(d)), ...callers.map((c) => d.by_caller[c] ?? 0)]);
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
