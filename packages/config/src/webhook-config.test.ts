import { createHash } from 'node:crypto';
import pino from 'pino';
import { LOG_REDACT, loadConfig } from './index';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const SECRET = 'whsec-0123456789abcdef0123456789abcdef';

const withWebhook = (webhook: string) => `
tenants:
  - id: news
    projectId: p
    endpoint: https://vod.cn-north-4.myhuaweicloud.com
    auth: { type: aksk, accessKey: a, secretKey: s }
callers:
  - id: cms
    apiKeySha256: ${sha('k')}
    tenants: [news]
    ${webhook}
`;
const load = (text: string, env: Record<string, string> = {}) => loadConfig({ REFRESH_CONFIG: 'c.yaml', ...env }, () => text);

describe('webhook config', () => {
  it('when nothing is said about webhooks, then callers have none and delivery has its defaults', () => {
    const cfg = load(withWebhook(''));
    expect(cfg.callers[0]?.webhook).toBeUndefined();
    expect(cfg.webhooks).toEqual({ maxAttempts: 10, backoffBaseMs: 5000, backoffMaxMs: 3_600_000, timeoutMs: 10_000, perCallerConcurrency: 2, keepFailedJobs: 10_000 });
  });

  it('when a caller has a webhook block, then its secret comes from ${NAME} and its hosts are kept canonical', () => {
    const cfg = load(withWebhook('webhook: { secret: "${CMS_WEBHOOK_SECRET}", allowedHosts: [Hooks.Example.com, "*.cb.example.org:8443"] }'), {
      CMS_WEBHOOK_SECRET: SECRET,
    });
    expect(cfg.callers[0]?.webhook).toEqual({ secret: SECRET, allowedHosts: ['hooks.example.com', '*.cb.example.org:8443'] });
  });

  it('when the secret is short or a host is written as a URL, then the file is refused naming each field', () => {
    const run = () => load(withWebhook('webhook: { secret: short, allowedHosts: ["https://hooks.example.com"] }'));
    expect(run).toThrow(/callers\.0\.webhook\.secret: the webhook secret must be at least 32 characters/);
    expect(run).toThrow(/callers\.0\.webhook\.allowedHosts\.0: .*no scheme/);
  });

  it('when a config holding a webhook secret is logged, then the secret shows as redacted', () => {
    const cfg = load(withWebhook(`webhook: { secret: ${SECRET}, allowedHosts: [hooks.example.com] }`));
    const lines: string[] = [];
    const logger = pino({ redact: LOG_REDACT }, { write: (l: string) => lines.push(l) });
    logger.info({ config: { callers: cfg.callers } }, 'config');
    expect(lines.join('')).not.toContain(SECRET);
    expect(lines.join('')).toContain('[redacted]');
  });
});
