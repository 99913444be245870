import { Redis } from 'ioredis';
import { checkMemoryPolicy, type PolicyLogger } from '../src';
import { startOwnRedis, type OwnRedis } from './redis-server';

// The policy is a server setting, so these stories run on redis-servers of their own (stopped
// by pid), never on the shared Redis.

/** A logger that keeps what it was told, as pino would write it. */
function recordingLogger() {
  const lines: { obj: Record<string, unknown>; msg: string }[] = [];
  const logger: PolicyLogger = { warn: (obj, msg) => lines.push({ obj: obj as Record<string, unknown>, msg }) };
  return { logger, lines };
}

const servers: OwnRedis[] = [];
const clients: Redis[] = [];
async function connectTo(args: string[]): Promise<Redis> {
  const server = await startOwnRedis(args);
  servers.push(server);
  // ioredis' ready check sends INFO, which one story renames away
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1, enableReadyCheck: false });
  clients.push(redis);
  return redis;
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await Promise.all(servers.map((s) => s.stop()));
});

describe("start-up check of Redis' maxmemory-policy", () => {
  it('when Redis evicts (allkeys-lru), then a warning names the policy and what eviction would drop', async () => {
    const redis = await connectTo(['--maxmemory-policy', 'allkeys-lru']);
    const { logger, lines } = recordingLogger();

    const found = await checkMemoryPolicy(redis, logger);

    expect(found).toEqual([expect.objectContaining({ policy: 'allkeys-lru' })]);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.obj).toMatchObject({ policy: 'allkeys-lru' });
    expect(lines[0]?.msg).toMatch(/allkeys-lru, not noeviction: .*queued items, budget counters and queue jobs/);
  });

  it('when Redis is set to noeviction, then nothing is logged', async () => {
    const redis = await connectTo(['--maxmemory-policy', 'noeviction']);
    const { logger, lines } = recordingLogger();

    expect(await checkMemoryPolicy(redis, logger)).toEqual([expect.objectContaining({ policy: 'noeviction' })]);
    expect(lines).toEqual([]);
  });

  it('when CONFIG is disabled (as on managed Redis), then the policy is read from INFO and still warned about', async () => {
    const redis = await connectTo(['--maxmemory-policy', 'volatile-ttl', '--rename-command', 'CONFIG', '']);
    await expect(redis.config('GET', 'maxmemory-policy')).rejects.toThrow(/unknown command/i);
    const { logger, lines } = recordingLogger();

    expect(await checkMemoryPolicy(redis, logger)).toEqual([expect.objectContaining({ policy: 'volatile-ttl' })]);
    expect(lines.map((l) => l.obj)).toEqual([expect.objectContaining({ policy: 'volatile-ttl' })]);
  });

  it('when neither CONFIG nor INFO answers, then it warns that the policy could not be verified, without throwing', async () => {
    const redis = await connectTo(['--rename-command', 'CONFIG', '', '--rename-command', 'INFO', '']);
    const { logger, lines } = recordingLogger();

    expect(await checkMemoryPolicy(redis, logger)).toEqual([expect.objectContaining({ policy: null })]);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toMatch(/could not read Redis maxmemory-policy .*must be noeviction/);
  });
});
