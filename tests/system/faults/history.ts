/** Reads the history's other two sources: the status API (every page) and the simulator's record. */
import type { AcceptedCall, RequestStatus, StatusItem } from './check-history';
import type { SpendDay } from './check-ledger';

interface RequestView {
  request_id: string;
  tenant: string;
  status: string;
  task_ids: string[];
}

async function getJson<T>(url: string, apiKey?: string): Promise<T> {
  const res = await fetch(url, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function requestView(apiUrl: string, apiKey: string, requestId: string): Promise<RequestView> {
  return getJson<RequestView>(`${apiUrl}/v1/refresh-requests/${requestId}`, apiKey);
}

export async function requestStatus(apiUrl: string, apiKey: string, requestId: string): Promise<RequestStatus> {
  const view = await requestView(apiUrl, apiKey, requestId);
  const items: StatusItem[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: StatusItem[]; next_cursor: string | null } = await getJson(
      `${apiUrl}/v1/refresh-requests/${requestId}/items?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      apiKey,
    );
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return { requestId, tenant: view.tenant, status: view.status, taskIds: view.task_ids, items };
}

/** The simulator's accepted calls, on the suite's clock (its own runs `clockOffsetMs` ahead). */
export async function simulatorCalls(simUrl: string, clockOffsetMs: number): Promise<AcceptedCall[]> {
  const calls = await getJson<AcceptedCall[]>(`${simUrl}/_sim/calls`);
  return calls.map((c) => ({ ...c, acceptedAt: c.acceptedAt - clockOffsetMs }));
}

/** The tenant's spend ledger for the budget days `from`..`to` (GET /v1/tenants/{tenant}/spend). */
export async function spendDays(apiUrl: string, apiKey: string, tenant: string, from: string, to: string): Promise<SpendDay[]> {
  const body = await getJson<{ days: SpendDay[] }>(`${apiUrl}/v1/tenants/${tenant}/spend?from=${from}&to=${to}`, apiKey);
  return body.days;
}
