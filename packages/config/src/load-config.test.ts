import { createHash } from 'node:crypto';
import { ConfigError, DEMO, loadConfig } from './index';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const yamlFile = `
tenants:
  - id: news
    projectId: 0123456789abcdef0123456789abcdef
    endpoint: https://vod.cn-north-4.myhuaweicloud.com
    auth: { type: aksk, accessKey: "\${NEWS_AK}", secretKey: "\${NEWS_SK}" }
callers:
  - id: cms
    apiKeySha256: ${sha('k')}
    tenants: [news]
batching: { lingerMs: 250 }
`;

const files = (content: string) => () => content;

describe('loadConfig', () => {
  it('when no file is named, then the demo tenant on the simulator is used with every default', () => {
    const cfg = loadConfig({});
    expect(cfg.tenants[0]).toMatchObject({ id: 'demo', dailyLimit: 1000, timezone: 'Asia/Shanghai' });
    expect(cfg.callers[0]?.apiKeySha256).toBe(sha(DEMO.apiKey));
    expect(cfg.batching).toEqual({ maxItems: 10, lingerMs: 1000 });
    expect(cfg.env).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379', PORT: 8080, KEY_PREFIX: 'refresh' });
    expect(cfg.statusTtlDays).toBe(7);
  });

  it('when a YAML file references ${NAME}, then the value comes from the environment', () => {
    const cfg = loadConfig({ REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'ak1', NEWS_SK: 'sk1' }, files(yamlFile));
    expect(cfg.tenants[0]?.auth).toEqual({ type: 'aksk', accessKey: 'ak1', secretKey: 'sk1' });
    expect(cfg.batching.lingerMs).toBe(250);
  });

  it('when a referenced variable is unset, then the error names the field and the variable', () => {
    expect(() => loadConfig({ REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'ak1' }, files(yamlFile))).toThrow(
      /tenants\.0\.auth\.secretKey: environment variable NEWS_SK is not set/,
    );
  });

  it('when maxItems is above 10, then the file is refused naming batching.maxItems', () => {
    const bad = yamlFile.replace('batching: { lingerMs: 250 }', 'batching: { maxItems: 11 }');
    const run = () => loadConfig({ REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'a', NEWS_SK: 'b' }, files(bad));
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/batching\.maxItems/);
  });

  it('when a caller names an unknown tenant and a field is misspelt, then both are reported', () => {
    const bad = yamlFile.replace('tenants: [news]', 'tenants: [sports]').replace('batching:', 'batchin:');
    const run = () => loadConfig({ REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'a', NEWS_SK: 'b' }, files(bad));
    expect(run).toThrow(/callers\.0\.tenants\.0: unknown tenant sports/);
    expect(run).toThrow(/Unrecognized key.*batchin/);
  });

  it('when callers and tenants give no limits, then 50 requests/s with a burst of 100 and a backlog of 5,000,000 apply; a given rate alone bursts twice as much', () => {
    const cfg = loadConfig({ REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'a', NEWS_SK: 'b' }, files(yamlFile));
    expect(cfg.callers[0]).toMatchObject({ maxRequestsPerSecond: 50, burst: 100 });
    expect(cfg.tenants[0]?.maxBacklogItems).toBe(5_000_000);
    const paced = yamlFile.replace('tenants: [news]', 'tenants: [news]\n    maxRequestsPerSecond: 0.5');
    expect(loadConfig({ REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'a', NEWS_SK: 'b' }, files(paced)).callers[0]).toMatchObject({ maxRequestsPerSecond: 0.5, burst: 1 });
    const bursty = yamlFile.replace('tenants: [news]', 'tenants: [news]\n    maxRequestsPerSecond: 5\n    burst: 3');
    expect(loadConfig({ REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'a', NEWS_SK: 'b' }, files(bursty)).callers[0]).toMatchObject({ maxRequestsPerSecond: 5, burst: 3 });
  });

  it('when a caller rate or a backlog cap is not positive, then the field is named', () => {
    const zeroRate = yamlFile.replace('tenants: [news]', 'tenants: [news]\n    maxRequestsPerSecond: 0');
    expect(() => loadConfig({ REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'a', NEWS_SK: 'b' }, files(zeroRate))).toThrow(/callers\.0\.maxRequestsPerSecond/);
    const zeroCap = yamlFile.replace('projectId:', 'maxBacklogItems: 0\n    projectId:');
    expect(() => loadConfig({ REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'a', NEWS_SK: 'b' }, files(zeroCap))).toThrow(/tenants\.0\.maxBacklogItems/);
  });

  it('when the time zone is not an IANA zone, then the tenant is refused', () => {
    const bad = yamlFile.replace('projectId:', 'timezone: Mars/Olympus\n    projectId:');
    expect(() => loadConfig({ REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'a', NEWS_SK: 'b' }, files(bad))).toThrow(/timezone/);
  });

  it('when a tenant names an asset-id pattern, then it must compile and have one capture group', () => {
    const withPattern = (re: string) => yamlFile.replace('projectId:', `assetIdFromUrl: '${re}'\n    projectId:`);
    const env = { REFRESH_CONFIG: '/x.yaml', NEWS_AK: 'a', NEWS_SK: 'b' };
    expect(loadConfig(env, files(withPattern('/asset/([0-9a-f]{32})/'))).tenants[0]?.assetIdFromUrl).toBe('/asset/([0-9a-f]{32})/');
    expect(loadConfig(env, files(yamlFile)).tenants[0]?.assetIdFromUrl).toBeUndefined();
    expect(() => loadConfig(env, files(withPattern('/asset/([0-9a-f]{32}/')))).toThrow(/tenants\.0\.assetIdFromUrl: does not compile/);
    expect(() => loadConfig(env, files(withPattern('/asset/[0-9a-f]{32}/')))).toThrow(/tenants\.0\.assetIdFromUrl: must have exactly one capture group, has 0/);
  });

  it('when the file is JSON, then it is read as JSON, and a syntax error names the file', () => {
    const json = JSON.stringify({ tenants: [{ id: 't', projectId: 'p', endpoint: 'http://127.0.0.1:9000', auth: { type: 'aksk', accessKey: 'a', secretKey: 's' } }] });
    expect(loadConfig({ REFRESH_CONFIG: '/c.json' }, files(json)).tenants[0]?.id).toBe('t');
    expect(() => loadConfig({ REFRESH_CONFIG: '/c.json' }, files('{'))).toThrow(/\/c\.json: not valid JSON/);
  });

  it('when an env value is malformed, then the env variable is named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/env: PORT/);
    expect(() => loadConfig({ KEY_PREFIX: '{x}' })).toThrow(/env: KEY_PREFIX/);
  });

  it('when no admin key is configured, then the queue UI has none; when one is, it is kept lower-cased', () => {
    expect(loadConfig({}).admin).toEqual({});
    const withAdmin = yamlFile + `admin: { apiKeySha256: ${sha('admin').toUpperCase()} }\n`;
    const cfg = loadConfig({ REFRESH_CONFIG: 'c.yaml', NEWS_AK: 'ak', NEWS_SK: 'sk' }, files(withAdmin));
    expect(cfg.admin.apiKeySha256).toBe(sha('admin'));
  });

  it('when the admin key is not a SHA-256, then the file is refused naming admin.apiKeySha256', () => {
    const bad = yamlFile + 'admin: { apiKeySha256: not-a-hash }\n';
    expect(() => loadConfig({ REFRESH_CONFIG: 'c.yaml', NEWS_AK: 'ak', NEWS_SK: 'sk' }, files(bad))).toThrow(/admin\.apiKeySha256/);
  });
});
