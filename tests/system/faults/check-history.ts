/**
 * The fault suite's judge: a pure function from a history (what callers sent, what the status
 * API says, what the simulated VOD accepted) to the breaches of the service's promises and the
 * figures of the run. No I/O, so its unit test can hand it a broken history of each kind.
 *
 * Times are the suite's wall clock (ms); the caller converts the simulator's clock first.
 */

export type ItemKind = 'asset_id' | 'url';
export const FINAL_STATES = new Set(['completed', 'failed', 'unknown', 'canceled']);

export interface TenantLimit {
  id: string;
  projectId: string;
  dailyLimit: number;
}

/** One request a caller tried to submit, with every retry under one Idempotency-Key. */
export interface SubmittedRequest {
  tenant: string;
  /** distinct items as the service normalises them (URLs already normal) */
  items: Array<{ kind: ItemKind; value: string }>;
  /** when the first attempt left the caller */
  firstSentAt: number;
  /** the request id of a 202 answer; undefined when no attempt was answered 202 */
  requestId?: string;
}

export interface StatusItem {
  kind: ItemKind;
  value: string;
  state: string;
  task_id?: string;
}

export interface RequestStatus {
  requestId: string;
  tenant: string;
  status: string;
  taskIds: string[];
  items: StatusItem[];
}

/** One RefreshAsset call VOD accepted (the simulator's record). */
export interface AcceptedCall {
  taskId: string;
  projectId: string;
  kind: string;
  items: string[];
  acceptedAt: number;
  /** budget day of the call in the tenant's zone (the simulator's quota day) */
  day: string;
  answerDelivered: boolean;
  polls: number;
}

export interface History {
  tenants: TenantLimit[];
  requests: SubmittedRequest[];
  /** by request id; a 202-accepted request missing here was lost */
  statuses: Map<string, RequestStatus>;
  calls: AcceptedCall[];
}

export interface Figures {
  requestsAccepted: number;
  itemsAccepted: number;
  itemsByState: Record<string, number>;
  callsAccepted: number;
  /** accepted calls whose answer the service never used: undelivered, or its task never polled */
  unknownOutcomeCalls: number;
  /** sends of an item that followed an unknown-outcome send of it */
  duplicatesAfterUnknown: number;
  lost: number;
  stuck: number;
  /** items VOD accepted beyond a tenant's daily limit, summed over days */
  overspend: number;
  /** items accepted per tenant per budget day */
  usage: Record<string, Record<string, number>>;
}

export interface Verdict {
  breaches: string[];
  figures: Figures;
}

const MAX_BREACHES_PER_KIND = 20;

export function checkHistory(h: History): Verdict {
  const breaches: string[] = [];
  const report = (kind: string, message: string) => {
    const seen = breaches.filter((b) => b.startsWith(`${kind}:`)).length;
    if (seen < MAX_BREACHES_PER_KIND) breaches.push(`${kind}: ${message}`);
  };
  const tenantOfProject = new Map(h.tenants.map((t) => [t.projectId, t]));
  const projectOfTenant = new Map(h.tenants.map((t) => [t.id, t.projectId]));
  const callByTask = new Map(h.calls.map((c) => [c.taskId, c]));

  // 1. every item of every 202-accepted request reached a final state
  const accepted = h.requests.filter((r) => r.requestId !== undefined);
  const itemsByState: Record<string, number> = {};
  let lost = 0;
  let stuck = 0;
  for (const r of accepted) {
    const status = h.statuses.get(r.requestId!);
    if (!status) {
      lost += r.items.length;
      report('lost', `request ${r.requestId} (${r.items.length} items) is unknown to the status API`);
      continue;
    }
    const shown = new Map(status.items.map((i) => [itemKey(i.kind, i.value), i]));
    for (const item of r.items) {
      const s = shown.get(itemKey(item.kind, item.value));
      if (!s) {
        lost += 1;
        report('lost', `${item.value} of ${r.requestId} is missing from its items`);
        continue;
      }
      itemsByState[s.state] = (itemsByState[s.state] ?? 0) + 1;
      if (!FINAL_STATES.has(s.state)) {
        stuck += 1;
        report('stuck', `${item.value} of ${r.requestId} is still ${s.state}`);
      }
    }
    if (status.items.length !== r.items.length) {
      report('lost', `${r.requestId} lists ${status.items.length} items, ${r.items.length} were sent`);
    }
  }

  // 2. no tenant had more items accepted in one budget day than its limit
  const usage: Record<string, Record<string, number>> = {};
  for (const c of h.calls) {
    const tenant = tenantOfProject.get(c.projectId)?.id ?? c.projectId;
    const days = (usage[tenant] ??= {});
    days[c.day] = (days[c.day] ?? 0) + c.items.length;
  }
  let overspend = 0;
  for (const t of h.tenants) {
    for (const [day, used] of Object.entries(usage[t.id] ?? {})) {
      if (used > t.dailyLimit) {
        overspend += used - t.dailyLimit;
        report('overspend', `${t.id} had ${used} items accepted on ${day}, limit ${t.dailyLimit}`);
      }
    }
  }

  // 3. every batch had 1-10 items of one kind
  for (const c of h.calls) {
    if (c.items.length < 1 || c.items.length > 10) report('batch', `task ${c.taskId} carried ${c.items.length} items`);
    if (c.kind !== 'asset_id' && c.kind !== 'url') report('batch', `task ${c.taskId} mixed kinds (${c.kind})`);
    if (!tenantOfProject.has(c.projectId)) report('batch', `task ${c.taskId} went to unknown project ${c.projectId}`);
  }

  // 5. every task id the status API reports was issued by VOD for exactly that item
  const shownTasks = new Map<string, Set<string>>(); // project|item -> task ids shown for it
  for (const status of h.statuses.values()) {
    const projectId = projectOfTenant.get(status.tenant);
    const itemTasks = new Set<string>();
    for (const item of status.items) {
      if (item.task_id === undefined) continue;
      itemTasks.add(item.task_id);
      const call = callByTask.get(item.task_id);
      if (!call) {
        report('task', `${status.requestId} shows task ${item.task_id} for ${item.value}; VOD never issued it`);
      } else if (call.projectId !== projectId || call.kind !== item.kind || !call.items.includes(item.value)) {
        report('task', `${status.requestId} shows task ${item.task_id} for ${item.value}; VOD issued it for other items`);
      }
      const key = `${projectId}|${item.value}`;
      const tasks = shownTasks.get(key) ?? new Set<string>();
      tasks.add(item.task_id);
      shownTasks.set(key, tasks);
    }
    for (const t of status.taskIds) {
      if (!callByTask.has(t)) report('task', `${status.requestId} lists task ${t}; VOD never issued it`);
      else if (!itemTasks.has(t)) report('task', `${status.requestId} lists task ${t}, which none of its items shows`);
    }
  }

  // 4. a pending item is sent once: an instance shows exactly one task, so an item sent in a call
  // the status API never shows was sent again, which only an unknown outcome excuses
  const unknown = (c: AcceptedCall) => !c.answerDelivered || c.polls === 0;
  const sends = new Map<string, AcceptedCall[]>();
  for (const c of h.calls) {
    for (const item of c.items) {
      const key = `${c.projectId}|${item}`;
      const list = sends.get(key) ?? [];
      list.push(c);
      sends.set(key, list);
    }
  }
  const firstAsked = new Map<string, number>(); // project|item -> earliest request that named it
  for (const r of h.requests) {
    const projectId = projectOfTenant.get(r.tenant);
    for (const item of r.items) {
      const key = `${projectId}|${item.value}`;
      firstAsked.set(key, Math.min(firstAsked.get(key) ?? Infinity, r.firstSentAt));
    }
  }
  let duplicatesAfterUnknown = 0;
  for (const [key, list] of sends) {
    list.sort((a, b) => a.acceptedAt - b.acceptedAt);
    const asked = firstAsked.get(key);
    if (asked === undefined || asked > list[0]!.acceptedAt) report('duplicate', `${key} was sent before any caller asked for it`);
    const shown = shownTasks.get(key) ?? new Set<string>();
    list.forEach((c, i) => {
      if (shown.has(c.taskId)) return;
      if (unknown(c)) {
        if (i < list.length - 1) duplicatesAfterUnknown += 1;
        return;
      }
      report('duplicate', `${key} was sent in task ${c.taskId}, answered and polled, yet no request shows that task: it was sent again`);
    });
  }

  return {
    breaches,
    figures: {
      requestsAccepted: accepted.length,
      itemsAccepted: accepted.reduce((n, r) => n + r.items.length, 0),
      itemsByState,
      callsAccepted: h.calls.length,
      unknownOutcomeCalls: h.calls.filter(unknown).length,
      duplicatesAfterUnknown,
      lost,
      stuck,
      overspend,
      usage,
    },
  };
}

function itemKey(kind: ItemKind, value: string): string {
  return `${kind}|${value}`;
}
