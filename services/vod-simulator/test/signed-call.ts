/** A signed HTTP call to the simulator with fetch, the way the real client signs. */
import { signRequest } from '@refresh/vod-client';

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

export interface SignedCall {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  credentials: Credentials;
  /** Signing time; defaults to now. */
  date?: Date;
  /** Replaces the computed Authorization header, to send a forged one. */
  authorization?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  json: unknown;
}

export async function signedCall(call: SignedCall): Promise<Answer> {
  const body = call.body === undefined ? '' : typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
  const headers: Record<string, string> = call.method === 'POST' ? { 'Content-Type': 'application/json' } : {};
  const auth = signRequest({ method: call.method, url: call.url, headers, body, ...call.credentials, date: call.date ?? new Date() });
  const res = await fetch(call.url, {
    method: call.method,
    headers: { ...headers, ...auth, ...(call.authorization ? { Authorization: call.authorization } : {}) },
    ...(call.method === 'POST' ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
