import { progressOf, type Progress, type RequestView } from '@refresh/client';
import { SingleBar } from 'cli-progress';

/** Shows a waiting request's progress on stderr: a live bar on a terminal, plain lines otherwise. */
export interface ProgressDisplay {
  update(view: RequestView): void;
  stop(): void;
}

export function progressDisplay(opts: { tty: boolean; plainEveryMs?: number; now?: () => number }): ProgressDisplay {
  const now = opts.now ?? Date.now;
  const eta = etaEstimator(now);
  return opts.tty ? liveBar(eta) : plainLines(eta, opts.plainEveryMs ?? 5_000, now);
}

function liveBar(eta: (p: Progress, view: RequestView) => string): ProgressDisplay {
  const bar = new SingleBar({
    stream: process.stderr,
    hideCursor: true,
    barsize: 30,
    format: '{bar} {value}/{total} final | {states} | ETA {when}',
  });
  let started = false;
  return {
    update(view) {
      const p = progressOf(view);
      const payload = { states: compactStates(p), when: eta(p, view) };
      if (!started) {
        bar.start(p.total, p.done, payload);
        started = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function plainLines(eta: (p: Progress, view: RequestView) => string, everyMs: number, now: () => number): ProgressDisplay {
  let lastAt = -Infinity;
  let last = '';
  return {
    update(view) {
      const p = progressOf(view);
      const line = `${p.done}/${p.total} final | ${states(p)}`;
      const finished = view.status === 'completed';
      // a line when something moved, at most every `everyMs`, and always the last one
      if (line === last || (!finished && now() - lastAt < everyMs)) return;
      process.stderr.write(`progress: ${line} | ETA ${eta(p, view)}\n`);
      last = line;
      lastAt = now();
    },
    stop() {},
  };
}

function states(p: Progress): string {
  const c = p.counts;
  return `completed ${c.completed}, failed ${c.failed}, unknown ${c.unknown}, canceled ${c.canceled}; ` +
    `pending ${c.pending}, deferred ${c.deferred}, in flight ${c.in_flight}, submitted ${c.submitted}`;
}

/** For one terminal line: completed always, other states only while they hold items. */
function compactStates(p: Progress): string {
  const c = p.counts;
  const others = (['failed', 'unknown', 'canceled', 'pending', 'deferred', 'in_flight', 'submitted'] as const)
    .filter((s) => c[s] > 0)
    .map((s) => `${s.replace('_', ' ')} ${c[s]}`);
  return [`completed ${c.completed}`, ...others].join(' · ');
}

/**
 * The service's own estimate when it gives one (it knows the budget and the backlog ahead);
 * otherwise the reset that deferred items wait for, otherwise the rate seen so far.
 */
function etaEstimator(now: () => number): (p: Progress, view: RequestView) => string {
  let first: { at: number; done: number } | undefined;
  return (p, view) => {
    if (p.done >= p.total && view.status === 'completed') return 'done';
    if (p.estimatedCompletionAt) return untilText(p.estimatedCompletionAt.getTime() - now(), p.estimatedCompletionAt);
    if (p.counts.deferred > 0 && view.next_attempt_at) return `after the budget reset at ${view.next_attempt_at}`;
    first ??= { at: now(), done: p.done };
    const rate = (p.done - first.done) / (now() - first.at);
    if (!(rate > 0)) return '?';
    const ms = (p.total - p.done) / rate;
    return untilText(ms, new Date(now() + ms));
  };
}

function untilText(ms: number, at: Date): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const text = h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
  return `${text} (${at.toISOString().replace(/\.\d{3}Z$/, 'Z')})`;
}
