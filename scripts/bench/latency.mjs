// Latency figures of the load bench: percentiles of raw samples, event-loop delay read from a
// process's /metrics (prom-client resets its monitorEventLoopDelay histogram on every scrape,
// so each reading covers the time since the previous one), and a Redis PING prober.
import { performance } from 'node:perf_hooks';

/** p-th percentile (0..100) of numbers, nearest rank; NaN for none. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** ms of event-loop delay since the last scrape: {p99, max}, or null if the scrape failed. */
export async function eventLoopDelay(metricsUrl) {
  try {
    const text = await (await fetch(metricsUrl)).text();
    const read = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
    return { p99: read('nodejs_eventloop_lag_p99_seconds'), max: read('nodejs_eventloop_lag_max_seconds') };
  } catch {
    return null;
  }
}

/**
 * Scrapes the event-loop delay of each process every `everyMs` and keeps every reading with its
 * time, so a phase (or the ingest window inside it) can be summarised afterwards.
 */
export function eventLoopSampler(urls, everyMs = 1000) {
  const readings = [];
  const timer = setInterval(async () => {
    const at = performance.now();
    for (const [name, url] of Object.entries(urls)) {
      const d = await eventLoopDelay(url);
      if (d) readings.push({ name, at, ...d });
    }
  }, everyMs);
  return {
    stop: () => clearInterval(timer),
    /** worst p99 and max of `name` over readings taken in [from, to] (each covers the second before it) */
    summary(name, from, to) {
      const inside = readings.filter((r) => r.name === name && r.at > from && r.at <= to + everyMs);
      return { p99: Math.max(...inside.map((r) => r.p99)), max: Math.max(...inside.map((r) => r.max)), samples: inside.length };
    },
  };
}

/** Round trips of PING every `everyMs` on its own connection: Redis blocked by a script shows here. */
export function redisPingSampler(redis, everyMs = 50) {
  const samples = [];
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const t0 = performance.now();
      try {
        await redis.ping();
        samples.push({ at: t0, ms: performance.now() - t0 });
      } catch {
        // counted as missing; the bench reports the errors it sees elsewhere
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: () => (stopped = true),
    summary(from, to) {
      const ms = samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.ms);
      return { p99: percentile(ms, 99), max: Math.max(...ms), samples: ms.length };
    },
  };
}
