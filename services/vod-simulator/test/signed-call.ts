/** Calls to the simulator with fetch: signed the way the real client signs, or with an IAM token. */
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

/** A call authenticated with an IAM token in X-Auth-Token instead of a signature. */
export async function tokenCall(call: { method: 'GET' | 'POST'; url: string; body?: unknown; token: string }): Promise<Answer> {
  const headers: Record<string, string> = { 'X-Auth-Token': call.token, ...(call.method === 'POST' ? { 'Content-Type': 'application/json' } : {}) };
  const res = await fetch(call.url, { method: call.method, headers, ...(call.method === 'POST' ? { body: JSON.stringify(call.body) } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

/** POST /v3/auth/tokens with the documented password body. */
export async function requestToken(base: string, who: { domain: string; user: string; password: string; project: string }): Promise<Answer> {
  const body = {
    auth: {
      identity: { methods: ['password'], password: { user: { domain: { name: who.domain }, name: who.user, password: who.password } } },
      scope: { project: { name: who.project } },
    },
  };
  const res = await fetch(`${base}/v3/auth/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json;charset=utf8' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
