import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK_KEY, STACK_TEXT_CAP, startServiceStack, type ServiceStack } from './service-stack';

// the command `npx refresh` runs: the bin npm linked at install (a bin npm failed to link, as a
// bin pointing into dist/ did in a fresh clone, fails every test here)
const CLI = join(__dirname, '..', '..', 'node_modules', '.bin', 'refresh');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the installed `refresh` as a script would: a child process, its exit code and its two streams. */
function refresh(args: string[], opts: { url: string; key?: string; stdin?: string }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, REFRESH_URL: opts.url, REFRESH_API_KEY: opts.key ?? STACK_KEY };
    if (opts.key === '') delete env.REFRESH_API_KEY;
    const child = spawn(CLI, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // the CLI may exit before reading it all
    child.stdin.end(opts.stdin ?? '');
  });
}

/** A port nothing listens on: one the OS just handed out and took back. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('the refresh command line', () => {
  let stack: ServiceStack;
  let dir: string;
  let url: string;
  beforeAll(async () => {
    stack = await startServiceStack();
    url = stack.url;
    dir = mkdtempSync(join(tmpdir(), 'refresh-cli-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await stack.close();
  });

  const file = (lines: string[]) => {
    const path = join(dir, `${randomBytes(4).toString('hex')}.txt`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };
  const urls = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `https://cdn.example.com/${tag}/${i}.m3u8`);

  it('when a file of 2,500 lines is submitted with --wait --json, then it is streamed, followed to the end, and exits 0 with the final view', async () => {
    const path = file(urls(2500, 'cli-big'));
    const run = await refresh(['submit', '--tenant', 'news', path, '--wait', '--json', '--interval', '200'], { url });
    expect(run.stderr).toContain('progress: ');
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout) as { request_id: string; status: string; received: number; counts: Record<string, number> };
    expect(view).toMatchObject({ status: 'completed', received: 2500, counts: { completed: 2500, failed: 0, unknown: 0 } });
    // without a terminal, progress goes to stderr as plain lines, the last one complete
    expect(run.stderr).toMatch(/progress: 2500\/2500 final/);

    const listed = await refresh(['status', view.request_id, '--items', '--json'], { url });
    expect(listed.code).toBe(0);
    const doc = JSON.parse(listed.stdout) as { request: { request_id: string }; items: Array<{ value: string; state: string }> };
    expect(doc.request.request_id).toBe(view.request_id);
    expect(doc.items).toHaveLength(2500);
    expect(doc.items.every((i) => i.state === 'completed')).toBe(true);

    const human = await refresh(['status', view.request_id], { url });
    expect(human).toMatchObject({ code: 0 });
    expect(human.stdout).toContain('status: completed');
  }, 180_000); // 250 VOD calls and their result polls: a bound on a hang, not a timing assertion

  it('when items are piped on stdin, then they are submitted, and without --json stdout has key: value lines', async () => {
    const lines = [...urls(4, 'cli-stdin'), 'cli-stdin-asset', '', urls(1, 'cli-stdin')[0]!];
    const run = await refresh(['submit', '--tenant', 'news', '--priority', 'high', '--wait', '--interval', '100'], { url, stdin: lines.join('\n') });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^request_id: news\.[0-9a-f]+\nstatus: completed\ncompleted: 5\nfailed: 0\nunknown: 0\ncanceled: 0\n$/);

    const plain = await refresh(['submit', '--tenant', 'news', '-', '--json'], { url, stdin: 'cli-stdin-plain\n' });
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ received: 1, request_id: expect.stringMatching(/^news\./) });
  });

  it('when a line is not a valid URL, then nothing is queued and it exits 3 with RFS.0001 and the line on stderr', async () => {
    const path = file([...urls(2, 'cli-bad'), 'ftp://cdn.example.com/not-http']);
    const run = await refresh(['submit', '--tenant', 'news', path], { url });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('RFS.0001');
    expect(run.stderr).toContain('line 3');
    expect(run.stdout).toBe('');

    const json = await refresh(['submit', '--tenant', 'news', path, '--json'], { url });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { status: 400, code: 'RFS.0001', kind: 'validation' } });
  });

  it('when the key is wrong, even while a large file is still streaming, then it exits 3 with RFS.0004', async () => {
    const path = file(urls(2500, 'cli-wrong-key'));
    const run = await refresh(['submit', '--tenant', 'news', path], { url, key: 'not-a-key' });
    expect(run.stderr).toContain('RFS.0004');
    expect(run.code).toBe(3);
  });

  it('when a file is over the service\'s size cap, then it exits 3 with RFS.0003 and the cap on stderr, and nothing is kept', async () => {
    const path = join(dir, 'over-cap.txt');
    const line = 'https://cdn.example.com/cli-over-cap/segment.ts\n';
    writeFileSync(path, line.repeat(Math.ceil((16 * STACK_TEXT_CAP) / line.length)));
    const before = await stack.requestIds('news');
    const run = await refresh(['submit', '--tenant', 'news', path], { url });
    expect(run.stderr).toContain(`RFS.0003 (HTTP 413): body is larger than the cap of ${STACK_TEXT_CAP.toLocaleString('en-US')} bytes; split it`);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');

    const json = await refresh(['submit', '--tenant', 'news', path, '--json'], { url });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { status: 413, code: 'RFS.0003', kind: 'validation' } });
    expect(await stack.requestIds('news')).toEqual(before);
  });

  it("when the tenant is not the caller's or the request is unknown, then it exits 3 with the service's code", async () => {
    const budget = await refresh(['budget', 'other'], { url });
    expect(budget.code).toBe(3);
    // a tenant not the caller's answers as an unknown one (404), and is still a refusal
    expect(budget.stderr).toContain('RFS.0006');
    const status = await refresh(['status', 'news.0000000000000000', '--json'], { url });
    expect(status.code).toBe(3);
    expect(JSON.parse(status.stdout)).toMatchObject({ error: { code: 'RFS.0006' } });
  });

  it('when the service is down, then it exits 4 after its retries, and --json gives the same error shape as any other', async () => {
    const dead = `http://127.0.0.1:${await deadPort()}`;
    const run = await refresh(['budget', 'news'], { url: dead });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('ECONNREFUSED');
    const json = await refresh(['budget', 'news', '--json'], { url: dead });
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { status: null, code: expect.any(String), kind: 'network', message: expect.stringContaining('ECONNREFUSED'), details: null },
    });
  });

  it("when the tenant's backlog is full until its budget resets, then it exits 3 (refused, not unavailable) and says when the reset is", async () => {
    // the day's one unit goes out; then one item waits, which is all the backlog may hold
    expect((await refresh(['submit', '--tenant', 'full', '--wait', '--interval', '100'], { url, stdin: 'https://cdn.example.com/full/1.m3u8\n' })).code).toBe(0);
    expect((await refresh(['submit', '--tenant', 'full'], { url, stdin: 'https://cdn.example.com/full/2.m3u8\n' })).code).toBe(0);
    const run = await refresh(['submit', '--tenant', 'full', '--json'], { url, stdin: 'https://cdn.example.com/full/3.m3u8\n' });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/until its budget resets at \d{4}-\d\d-\d\dT/);
    const { error } = JSON.parse(run.stdout) as { error: Record<string, unknown> };
    expect(error).toMatchObject({ status: 429, code: 'RFS.0011', kind: 'rate-limited', details: { limit: 'tenant_backlog' } });
    // the reset is a local midnight of the tenant (Asia/Shanghai: 16:00 UTC), within a day
    const resetsAt = Date.parse(String(error.resets_at));
    expect(new Date(resetsAt).getUTCHours()).toBe(16);
    expect(resetsAt - Date.now()).toBeLessThanOrEqual(86_400_000);
  });

  it('when an item fails at VOD, then --wait exits 5', async () => {
    const [bad, good] = urls(2, 'cli-fails');
    stack.sim.failItems([bad!]);
    const run = await refresh(['submit', '--tenant', 'news', '--wait', '--json', '--interval', '100'], { url, stdin: `${bad}\n${good}\n` });
    expect(run.code).toBe(5);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', counts: { completed: 1, failed: 1 } });
    expect(run.stderr).toContain('1 failed');
  });

  it('when the request cannot finish before --timeout, then it exits 6 and --json still gives the last view', async () => {
    const run = await refresh(['submit', '--tenant', 'scarce', '--wait', '--timeout', '1', '--interval', '100', '--json'], { url, stdin: urls(3, 'cli-scarce').join('\n') });
    expect(run.code).toBe(6);
    const doc = JSON.parse(run.stdout) as { error: { code: string }; request: { status: string; counts: { deferred: number } } };
    expect(doc.error.code).toBe('WAIT_TIMEOUT');
    expect(doc.request.status).not.toBe('completed');
  });

  it('when the budget is asked for, then --json prints it', async () => {
    const run = await refresh(['budget', 'news', '--json'], { url });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ daily_limit: 5000 });
  });

  it('when refresh is called wrongly, then it exits 2 and says why', async () => {
    const noTenant = await refresh(['submit', file(['x'])], { url });
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain('--tenant');
    expect((await refresh(['submit', '--tenant', 'news', '--priority', 'urgent', file(['x'])], { url })).code).toBe(2);
    expect((await refresh(['frobnicate'], { url })).code).toBe(2);
    const missing = await refresh(['submit', '--tenant', 'news', join(dir, 'no-such-file.txt')], { url });
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('ENOENT');
    const noKey = await refresh(['budget', 'news'], { url, key: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('REFRESH_API_KEY');
  });

  it('when help is asked for, then it lists the commands and every exit code', async () => {
    const run = await refresh(['--help'], { url });
    expect(run.code).toBe(0);
    for (const word of ['submit', 'status', 'budget', 'REFRESH_URL', 'REFRESH_API_KEY']) expect(run.stdout).toContain(word);
    for (const code of [0, 1, 2, 3, 4, 5, 6]) expect(run.stdout).toMatch(new RegExp(`^  ${code}  `, 'm'));
  });
});
