import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook-signature';

const SECRET = 'whsec_0123456789abcdef0123456789abcdef';
const BODY = '{"event":"refresh_request.completed","request_id":"news.0123456789abcdef"}';
const T = 1_700_000_000;

describe('webhook signatures', () => {
  it('when a body is signed, then the header is t and the hex HMAC-SHA256 of "<t>.<body>" (Stripe\'s scheme)', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('when the receiver checks with the same secret within the tolerance, then it verifies and tells the timestamp', () => {
    const header = signWebhook(SECRET, BODY, T);
    expect(verifyWebhook(SECRET, BODY, header, { nowSeconds: T + 299 })).toEqual({ ok: true, timestamp: T });
    expect(verifyWebhook(SECRET, Buffer.from(BODY), header, { nowSeconds: T - 299 })).toEqual({ ok: true, timestamp: T });
  });

  it('when the secret, the body or the timestamp differ, then it does not verify', () => {
    const header = signWebhook(SECRET, BODY, T);
    expect(verifyWebhook('another-secret-of-at-least-32-characters', BODY, header, { nowSeconds: T })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(SECRET, `${BODY} `, header, { nowSeconds: T })).toEqual({ ok: false, reason: 'mismatch' });
    const moved = header.replace(`t=${T}`, `t=${T + 1}`);
    expect(verifyWebhook(SECRET, BODY, moved, { nowSeconds: T })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('when the timestamp is outside the tolerance, then it is stale, even with a good MAC (a replay)', () => {
    const header = signWebhook(SECRET, BODY, T);
    expect(verifyWebhook(SECRET, BODY, header, { nowSeconds: T + 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(SECRET, BODY, header, { nowSeconds: T + 3600, toleranceSeconds: 7200 }).ok).toBe(true);
  });

  it('when the header is missing or garbled, then it is malformed rather than an exception', () => {
    for (const h of [undefined, '', 't=abc,v1=00', `v1=${'0'.repeat(64)}`, `t=${T}`, `t=${T},v1=xyz`]) {
      expect(verifyWebhook(SECRET, BODY, h, { nowSeconds: T })).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('when the header carries two v1 signatures (a secret being rotated), then either one verifies', () => {
    const good = signWebhook(SECRET, BODY, T);
    const other = signWebhook('the-old-secret-of-at-least-32-characters', BODY, T).split(',')[1];
    expect(verifyWebhook(SECRET, BODY, `${good},${other}`, { nowSeconds: T }).ok).toBe(true);
    expect(verifyWebhook(SECRET, BODY, `t=${T},${other},${good.split(',')[1]}`, { nowSeconds: T }).ok).toBe(true);
  });
});
