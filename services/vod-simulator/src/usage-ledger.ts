/**
 * Items accepted per project per local day: the simulator's picture of Huawei's daily quota.
 * Only accepted calls are added; a refused call counts nothing (Huawei does not say otherwise).
 */
import { DateTime } from 'luxon';

/** The calendar day (YYYY-MM-DD) at `nowMs` in `zone`: the quota resets at that zone's midnight. */
export function localDay(nowMs: number, zone: string): string {
  const day = DateTime.fromMillis(nowMs, { zone }).toISODate();
  if (day === null) throw new Error(`cannot compute a day in zone ${zone}`);
  return day;
}

export interface UsageLedger {
  used(projectId: string, day: string): number;
  add(projectId: string, day: string, items: number): void;
  /** projectId → day → items. */
  snapshot(): Record<string, Record<string, number>>;
  clear(): void;
}

export function createUsageLedger(): UsageLedger {
  const counts = new Map<string, Map<string, number>>();
  return {
    used: (projectId, day) => counts.get(projectId)?.get(day) ?? 0,
    add(projectId, day, items) {
      const days = counts.get(projectId) ?? new Map<string, number>();
      days.set(day, (days.get(day) ?? 0) + items);
      counts.set(projectId, days);
    },
    snapshot: () => Object.fromEntries([...counts].map(([projectId, days]) => [projectId, Object.fromEntries(days)])),
    clear: () => counts.clear(),
  };
}
