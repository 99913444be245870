/**
 * Callers of the fault suite: each submits overlapping requests from a seeded PRNG and retries
 * every one under its Idempotency-Key (network error, 5xx, 429) until it is answered 202 or a
 * final 4xx, as a well-behaved client would. What they sent, and when, is the history's input.
 */
import type { ItemKind, SubmittedRequest } from './check-history';

export interface CallerPlan {
  apiUrl: () => string;
  apiKey: string;
  random: () => number;
  /** stop starting new requests then (epoch ms); retries of started ones go on until `giveUpAt` */
  stopAt: number;
  giveUpAt: number;
  /** the items of the next request, or undefined to skip a turn */
  nextRequest: (random: () => number) => { tenant: string; items: Array<{ kind: ItemKind; value: string }> } | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runCaller(plan: CallerPlan, out: SubmittedRequest[]): Promise<void> {
  let n = 0;
  while (Date.now() < plan.stopAt) {
    await sleep(200 + Math.floor(plan.random() * 600));
    const next = plan.nextRequest(plan.random);
    if (!next) continue;
    const record: SubmittedRequest = { ...next, firstSentAt: Date.now() };
    out.push(record);
    const key = `${plan.apiKey}-${n++}-${Math.floor(plan.random() * 1e9)}`;
    const requestId = await submitUntilAnswered(plan, next.tenant, next.items, key);
    if (requestId) record.requestId = requestId;
  }
}

async function submitUntilAnswered(
  plan: CallerPlan, tenant: string, items: Array<{ kind: ItemKind; value: string }>, idempotencyKey: string,
): Promise<string | undefined> {
  const body = JSON.stringify({
    asset_ids: items.filter((i) => i.kind === 'asset_id').map((i) => i.value),
    urls: items.filter((i) => i.kind === 'url').map((i) => i.value),
  });
  for (let attempt = 0; Date.now() < plan.giveUpAt; attempt++) {
    try {
      const res = await fetch(`${plan.apiUrl()}/v1/tenants/${tenant}/refresh-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${plan.apiKey}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body,
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      if (res.status === 202) return (JSON.parse(text) as { request_id: string }).request_id;
      if (res.status !== 429 && res.status < 500) throw new Error(`submission refused ${res.status}: ${text}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('submission refused')) throw err;
      // no answer: the API is down or was killed mid-request; the same key makes the retry safe
    }
    await sleep(Math.min(2000, 100 * 2 ** attempt) * (0.5 + plan.random() / 2));
  }
  return undefined;
}
