/** The run's figures as a small table on stdout (not console.log: jest would wrap it in a stack trace). */
import type { Verdict } from './check-history';

export function printFigures(
  seed: number, faults: Record<string, number>, submitted: number, verdict: Verdict, extra: Array<[string, string | number]> = [],
): void {
  const f = verdict.figures;
  const rows: Array<[string, string | number]> = [
    ['seed (FAULT_SEED)', seed],
    ['requests submitted / accepted (202)', `${submitted} / ${f.requestsAccepted}`],
    ['items accepted', f.itemsAccepted],
    ['items by final state', Object.entries(f.itemsByState).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['calls accepted by VOD', f.callsAccepted],
    ...Object.entries(faults).map(([kind, n]): [string, number] => [`faults: ${kind}`, n]),
    ['calls with unknown outcome', f.unknownOutcomeCalls],
    ['duplicates after unknown outcome', f.duplicatesAfterUnknown],
    ['items per tenant per budget day', Object.entries(f.usage).map(([t, days]) => `${t} ${Object.values(days).join('+')}`).join(', ')],
    ...extra,
    ['lost', f.lost],
    ['stuck', f.stuck],
    ['overspend', f.overspend],
    ['breaches', verdict.breaches.length],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`);
  const breaches = verdict.breaches.map((b) => `  ${b}`);
  process.stdout.write(`\nfault suite figures\n${lines.join('\n')}\n${breaches.length ? `breaches:\n${breaches.join('\n')}\n` : ''}`);
}
