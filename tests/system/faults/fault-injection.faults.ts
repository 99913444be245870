import { createHash } from 'node:crypto';
import { seededRandom } from '@refresh/vod-simulator';
import { DateTime } from 'luxon';
import { checkHistory, type AcceptedCall, type ItemKind, type RequestStatus, type SubmittedRequest } from './check-history';
import { runCaller } from './fault-callers';
import { NO_FAULTS, runFaults, type FaultKind } from './fault-schedule';
import { FaultStack } from './fault-stack';
import { requestStatus, requestView, simulatorCalls, spendDays } from './history';
import { printFigures } from './print-figures';
import { checkLedger } from './check-ledger';

/**
 * The fault-injection run (`npm run test:faults`): callers submit overlapping requests while
 * workers are SIGKILLed, Redis and the API restart and VOD answers 5xx, 429, hangs, slowly or
 * not at all. Then the faults stop, the system drains, and the history must keep every promise
 * (see check-history.ts). FAULT_SEED replays the schedule and the requests; FAULT_SECONDS sets
 * the length of the fault phase.
 *
 * Budget days: every process runs on a clock offset so that the tenants' local midnight falls
 * MIDNIGHT_AFTER_MS into the fault phase. `tight` (300 items a day) is asked for 250 items before
 * it. Calls whose outcome is unknown (lost answers, timeouts, workers killed mid-call) keep their
 * budget spent, as they must, so part of the demand is deferred to the next budget day and goes
 * out after it. Two budget days hold it; with 400 items a fault-heavy run (FAULT_SEED=7) leaves
 * some for a third day, which the drain does not reach. So the drain ends with no item waiting,
 * and "none stuck" means every item is final.
 */
const SEED = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FAULT_MS = Number(process.env.FAULT_SECONDS ?? 75) * 1000;
const SETUP_MS = 8_000;
const MIDNIGHT_AFTER_MS = 35_000;
const TIGHT_UNTIL_MS = 30_000;
const TIGHT_ITEMS = 250;
const WIDE_POOL = 1500;
const DRAIN_MS = 150_000;
const ZONE = 'Asia/Shanghai';
const PROJECTS = { tight: '1'.repeat(32), wide: '2'.repeat(32) };
const CALLER_KEYS = ['faults-cms-key', 'faults-batch-key', 'faults-ops-key'];
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tenants = [
  { id: 'tight', projectId: PROJECTS.tight, dailyLimit: 300 },
  { id: 'wide', projectId: PROJECTS.wide, dailyLimit: 20_000 },
];

function serviceConfig(simUrl: string) {
  return {
    tenants: tenants.map((t) => ({
      ...t, endpoint: simUrl, timezone: ZONE, maxCallsPerSecond: 50,
      auth: { type: 'aksk', accessKey: `AK${t.id.toUpperCase()}0000000000`, secretKey: `sk-${t.id}` },
    })),
    callers: CALLER_KEYS.map((key, i) => ({ id: `caller${i}`, apiKeySha256: sha(key), tenants: ['tight', 'wide'], maxRequestsPerSecond: 1000 })),
    batching: { lingerMs: 200 },
    upstream: {
      timeoutMs: 1500, connectTimeoutMs: 500, maxAttempts: 8, backoffBaseMs: 100, backoffMaxMs: 1000,
      pauseCooldownMs: 2000, pollInitialDelayMs: 300, pollMaxDelayMs: 1000, pollMaxAgeMs: 120_000,
    },
    worker: { concurrency: 8, stalledIntervalMs: 2000, lockDurationMs: 4000 },
  };
}

// VOD itself allows far more than the tenants' limits, so an overspend shows in its record instead of being refused
const simConfig = {
  projects: tenants.map((t) => ({ projectId: t.projectId, accessKey: `AK${t.id.toUpperCase()}0000000000`, secretKey: `sk-${t.id}` })),
  dailyLimit: 1_000_000,
  timezone: ZONE,
  taskDurationMs: 300,
  faults: { seed: SEED },
};

/** Request contents: `tight` gets fresh items in order plus a few it was asked for before; `wide` draws from a pool. */
function requestPlanner() {
  let fresh = 0;
  const tightAsked: Array<{ kind: ItemKind; value: string }> = [];
  const tightItem = (i: number) =>
    i % 3 === 0 ? { kind: 'asset_id' as const, value: `tight-a${i}` } : { kind: 'url' as const, value: `https://cdn.example.com/tight/${i}.m3u8` };
  const wideItem = (i: number) =>
    i % 2 === 0 ? { kind: 'asset_id' as const, value: `wide-a${i}` } : { kind: 'url' as const, value: `https://cdn.example.com/wide/${i}.m3u8` };
  return (tightUntil: number) => (random: () => number) => {
    const byValue = new Map<string, { kind: ItemKind; value: string }>();
    if (Date.now() < tightUntil && fresh < TIGHT_ITEMS && random() < 0.6) {
      const n = 5 + Math.floor(random() * 16);
      for (let i = 0; i < n && fresh < TIGHT_ITEMS; i++) byValue.set(tightItem(fresh).value, tightItem(fresh++));
      const repeats = Math.floor(random() * 6);
      for (let i = 0; i < repeats && tightAsked.length > 0; i++) {
        const again = tightAsked[Math.floor(random() * tightAsked.length)]!;
        byValue.set(again.value, again);
      }
      const items = [...byValue.values()];
      tightAsked.push(...items.filter((i) => !tightAsked.includes(i)));
      return { tenant: 'tight', items };
    }
    const n = random() < 0.8 ? 1 + Math.floor(random() * 15) : 20 + Math.floor(random() * 41);
    for (let i = 0; i < n; i++) {
      const item = wideItem(Math.floor(random() * WIDE_POOL));
      byValue.set(item.value, item);
    }
    return { tenant: 'wide', items: [...byValue.values()] };
  };
}

/** Items of `tight` asked for before its budget day ended whose first send came after: the budget invariant at work. */
function carriedOver(requests: SubmittedRequest[], calls: AcceptedCall[], midnightAt: number): number {
  const asked = new Set(requests.filter((r) => r.tenant === 'tight' && r.firstSentAt < midnightAt).flatMap((r) => r.items.map((i) => i.value)));
  const firstSent = new Map<string, number>();
  for (const c of calls) for (const item of c.items) firstSent.set(item, Math.min(firstSent.get(item) ?? Infinity, c.acceptedAt));
  return [...asked].filter((item) => (firstSent.get(item) ?? Infinity) >= midnightAt).length;
}

describe('fault injection', () => {
  let stack: FaultStack | undefined;

  afterAll(async () => {
    await stack?.stop();
  });

  it('when workers, Redis, the API and VOD fail at random under load, then no item is lost, stuck, overspent or sent twice without cause', async () => {
    const faultStart = Date.now() + SETUP_MS;
    const midnight = DateTime.fromMillis(faultStart + MIDNIGHT_AFTER_MS, { zone: ZONE }).plus({ days: 1 }).startOf('day').toMillis();
    const clockOffsetMs = midnight - (faultStart + MIDNIGHT_AFTER_MS);
    process.stdout.write(`\nfault suite: FAULT_SEED=${SEED}, fault phase ${FAULT_MS / 1000} s, clock offset ${clockOffsetMs} ms\n`);

    stack = new FaultStack({ serviceConfig, simConfig, workers: 3, clockOffsetMs, keyPrefix: 'faults' });
    const s = stack;
    await s.start();
    await sleep(Math.max(0, faultStart - Date.now()));

    const faultEnd = Date.now() + FAULT_MS;
    const submitted: SubmittedRequest[] = [];
    const next = requestPlanner()(Date.now() + TIGHT_UNTIL_MS);
    const callers = CALLER_KEYS.map((apiKey, i) =>
      runCaller(
        { apiUrl: () => s.apiUrl, apiKey, random: seededRandom(SEED + i + 1), stopAt: faultEnd, giveUpAt: faultEnd + 60_000, nextRequest: next },
        submitted,
      ),
    );
    let faults: Record<FaultKind, number>;
    try {
      faults = await runFaults(s, seededRandom(SEED ^ 0x5eed), faultEnd);
    } finally {
      await s.setSimFaults(NO_FAULTS);
    }
    await Promise.all(callers);

    // drain: everything up, no faults; wait until every accepted request is completed
    s.workers.forEach((w, slot) => w?.running || s.startWorker(slot));
    const accepted = submitted.filter((r) => r.requestId !== undefined);
    const key = CALLER_KEYS[0]!;
    const drainDeadline = Date.now() + DRAIN_MS;
    const open = new Set(accepted.map((r) => r.requestId!));
    while (open.size > 0 && Date.now() < drainDeadline) {
      for (const id of [...open]) {
        const view = await requestView(s.apiUrl, key, id).catch(() => undefined);
        if (view?.status === 'completed') open.delete(id);
      }
      if (open.size > 0) await sleep(1000);
    }

    const statuses = new Map<string, RequestStatus>();
    for (const r of accepted) {
      const st = await requestStatus(s.apiUrl, key, r.requestId!).catch(() => undefined);
      if (st) statuses.set(r.requestId!, st);
    }
    const calls = await simulatorCalls(s.simUrl, clockOffsetMs);
    const verdict = checkHistory({ tenants, requests: submitted, statuses, calls });
    // the spend ledger of every day VOD counted something on, against VOD's count
    const ledger = await Promise.all(tenants.map(async (t) => {
      const days = Object.keys(verdict.figures.usage[t.id] ?? {}).sort();
      if (days.length === 0) return { breaches: [], rows: [] };
      return checkLedger(t.id, verdict.figures.usage[t.id] ?? {}, await spendDays(s.apiUrl, key, t.id, days[0]!, days.at(-1)!));
    }));
    const ledgerRows = ledger.flatMap((l) => l.rows);
    printFigures(SEED, faults, submitted.length, verdict, [
      ['tight items asked before midnight, first sent after it', carriedOver(submitted, calls, faultStart + MIDNIGHT_AFTER_MS)],
      ['ledger: units we counted over VOD / of unknown outcome', ledgerRows.map((r) => `${r.tenant} ${r.day} ${r.ours - r.vod}/${r.unknownOutcome}`).join(', ')],
    ]);

    const breaches = [...verdict.breaches, ...ledger.flatMap((l) => l.breaches)];
    if (breaches.length > 0) process.stdout.write(`\nprocess output:\n${s.outputs()}\n`);
    expect(breaches).toEqual([]);
    expect(verdict.figures).toMatchObject({ lost: 0, stuck: 0, overspend: 0 });
    expect(accepted.length).toBeGreaterThan(0);
  }, SETUP_MS + FAULT_MS + 60_000 + DRAIN_MS + 60_000);
});
