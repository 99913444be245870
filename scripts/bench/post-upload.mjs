#!/usr/bin/env node
// The load bench's upload, in a process of its own: generating and sending 48 MB of lines on
// the bench's event loop would delay autocannon's own timers and inflate the latencies it
// measures. Args: <api base> <tenant> <run> <count>; the key comes in UPLOAD_API_KEY.
// Prints one JSON line: {status, seconds202, received, requestId, text?}.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { bodyStats, urlBody } from './url-body.mjs';

const [apiBase, tenant, run, countArg] = process.argv.slice(2);
const count = Number(countArg);
const { bytes } = bodyStats(run, count);
const t0 = performance.now();
const req = http.request(`${apiBase}/v1/tenants/${tenant}/refresh-requests`, {
  method: 'POST',
  agent: false,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': bytes, authorization: `Bearer ${process.env.UPLOAD_API_KEY}` },
});
req.on('response', (res) => {
  const seconds202 = (performance.now() - t0) / 1000;
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (d) => (text += d));
  res.on('end', () => {
    const body = res.statusCode === 202 ? JSON.parse(text) : {};
    const out = { status: res.statusCode, seconds202, bytes, received: body.received, requestId: body.request_id };
    if (res.statusCode !== 202) out.text = text.slice(0, 2000);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  });
});
req.on('error', (err) => {
  process.stderr.write(`upload failed: ${err.message}\n`);
  process.exit(1);
});
urlBody(run, count).pipe(req);
