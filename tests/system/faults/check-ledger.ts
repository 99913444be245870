/**
 * The spend ledger against VOD's own count. For each tenant and budget day, our count (the
 * ledger's `spent`, which is the budget's `used`) minus the units VOD counted must lie within what
 * the ledger says VOD may not have counted: calls VOD refused (it counts none of them) and units
 * voided by a reset at least, plus at most the units of calls whose outcome is unknown (a call that
 * timed out may or may not have reached it). A ledger that dropped or doubled a unit under faults
 * falls outside.
 */
export interface SpendDay {
  day: string;
  spent: number;
  refused: number;
  voided: number;
  unknown_outcome: number;
  quota_raise: number;
}

export interface LedgerCheck {
  breaches: string[];
  /** per tenant-day: our count minus VOD's, and the unknown-outcome units that explain it */
  rows: Array<{ tenant: string; day: string; ours: number; vod: number; unknownOutcome: number }>;
}

export function checkLedger(tenant: string, vodByDay: Readonly<Record<string, number>>, days: readonly SpendDay[]): LedgerCheck {
  const breaches: string[] = [];
  const rows: LedgerCheck['rows'] = [];
  for (const d of days) {
    const vod = vodByDay[d.day] ?? 0;
    if (d.spent === 0 && vod === 0) continue;
    const known = d.refused + d.voided + d.quota_raise;
    const over = d.spent - vod;
    rows.push({ tenant, day: d.day, ours: d.spent, vod, unknownOutcome: d.unknown_outcome });
    if (over < known || over > known + d.unknown_outcome) {
      breaches.push(
        `ledger: ${tenant} ${d.day} counted ${d.spent}, VOD ${vod}: ${over} more, where refused ${d.refused} + voided ${d.voided} + quota ${d.quota_raise} ` +
          `and at most ${d.unknown_outcome} of unknown outcome explain it`,
      );
    }
  }
  return { breaches, rows };
}
