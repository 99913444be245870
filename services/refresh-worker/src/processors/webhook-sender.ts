import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios from 'axios';
import { WEBHOOK_SIGNATURE_HEADER, signWebhook } from '@refresh/core';

export const WEBHOOK_USER_AGENT = 'vod-refresh-webhooks/1';
export const WEBHOOK_ID_HEADER = 'Refresh-Webhook-Id';

export type DeliveryResult = { delivered: true; status: number } | { delivered: false; reason: string };

/**
 * POSTs one signed webhook body. Only a 2xx counts as delivered. Redirects are never followed
 * (a 3xx is a failed attempt): the allowlisted host is the only one ever called. No proxy from
 * the environment is used, the answer's body is never read, and the whole exchange is bounded
 * by `timeoutMs`. Every failure comes back as a reason; nothing throws.
 */
export function createWebhookSender(opts: { timeoutMs: number }) {
  // fresh connections each time: receivers are many and rarely called, so pooling buys nothing
  const httpAgent = new HttpAgent({ keepAlive: false });
  const httpsAgent = new HttpsAgent({ keepAlive: false });
  const http = axios.create({
    maxRedirects: 0,
    proxy: false,
    timeout: opts.timeoutMs,
    httpAgent,
    httpsAgent,
    responseType: 'stream',
    validateStatus: () => true,
    // the body is sent exactly as signed
    transformRequest: [(data: string) => data],
  });

  return {
    async send(url: string, body: string, secret: string, deliveryId: string, nowMs: number): Promise<DeliveryResult> {
      try {
        const res = await http.post(url, body, {
          signal: AbortSignal.timeout(opts.timeoutMs),
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': WEBHOOK_USER_AGENT,
            [WEBHOOK_ID_HEADER]: deliveryId,
            [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(nowMs / 1000)),
          },
        });
        (res.data as NodeJS.ReadableStream & { destroy(): void }).destroy();
        if (res.status >= 200 && res.status < 300) return { delivered: true, status: res.status };
        const where = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
        return { delivered: false, reason: `answered ${res.status}${where}` };
      } catch (err) {
        const e = err as { code?: string; message?: string };
        return { delivered: false, reason: `no answer: ${e.code ?? e.message ?? 'unknown error'}` };
      }
    },
    close(): void {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
export type WebhookSender = ReturnType<typeof createWebhookSender>;
