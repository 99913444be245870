import { getEventListeners } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { AppError } from '@refresh/core';
import { readTextLines } from './text-upload';

async function lines(chunks: Array<string | Buffer>, maxBytes = 1 << 20): Promise<Array<[string, number]>> {
  const out: Array<[string, number]> = [];
  await readTextLines(
    Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))),
    { maxBytes, salt: 'normal' },
    (line, n) => {
      out.push([line, n]);
      return undefined;
    },
  );
  return out;
}

describe('readTextLines', () => {
  it('when lines end in \\n or \\r\\n, split across chunks, with empty lines and no final newline, then each item comes out once', async () => {
    expect(await lines(['a1\r', '\nhttps://x.example/', 'p?q=1\n\n', '\r\n', 'b', '2'])).toEqual([
      ['a1', 1],
      ['https://x.example/p?q=1', 2],
      ['b2', 5],
    ]);
  });

  it('when a multi-byte character is split between chunks, then it is decoded whole', async () => {
    const bytes = Buffer.from('ü1\nb\n');
    expect(await lines([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual([['ü1', 1], ['b', 2]]);
  });

  it('when a line is far longer than any item, then only its start is kept, still too long to be valid', async () => {
    const out = await lines(['x'.repeat(100_000), 'y'.repeat(100_000), '\nok']);
    expect(out[0]?.[0].length).toBe(10_242);
    expect(out[1]).toEqual(['ok', 2]);
  });

  it('when the shutdown signal aborts while the body is still arriving, then the read stops with its reason and hands on no later line', async () => {
    const body = new PassThrough();
    const shutdown = new AbortController();
    const seen: string[] = [];
    const read = readTextLines(body, { maxBytes: 1 << 20, salt: 'normal', signal: shutdown.signal }, (line) => {
      seen.push(line);
      return undefined;
    });
    body.write('a1\na2\n');
    await new Promise((r) => setImmediate(r));
    const reason = new AppError('RFS.0008', 'shutting down', 503);
    shutdown.abort(reason);
    body.write('a3\n');
    await expect(read).rejects.toBe(reason);
    expect(seen).toEqual(['a1', 'a2']);
  });

  it('when many uploads end, then none leaves a listener on the shutdown signal, which lives as long as the process', async () => {
    const shutdown = new AbortController();
    for (let i = 0; i < 20; i++) {
      await readTextLines(Readable.from([Buffer.from(`a${i}\nb${i}\n`)]), { maxBytes: 1 << 20, salt: 'normal', signal: shutdown.signal }, () => undefined);
    }
    await expect(
      readTextLines(Readable.from([Buffer.from('x'.repeat(64))]), { maxBytes: 8, salt: 'normal', signal: shutdown.signal }, () => undefined),
    ).rejects.toBeInstanceOf(AppError);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('when the body passes maxBytes, then a 413 is thrown', async () => {
    await expect(lines(['a\n'.repeat(10), 'b\n'], 20)).rejects.toMatchObject({ httpStatus: 413 });
  });

  it('when the bytes are not UTF-8, then a 400 is thrown', async () => {
    const err = await lines([Buffer.from([0x61, 0xff, 0x0a])]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ httpStatus: 400 });
  });

  it('when two bodies differ only in the salt, then their fingerprints differ', async () => {
    const run = (salt: string) => readTextLines(Readable.from([Buffer.from('a\n')]), { maxBytes: 10, salt }, () => undefined);
    const [a, b, c] = await Promise.all([run('high'), run('low'), run('high')]);
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(a.fingerprint).toBe(c.fingerprint);
  });

  it('when the stream fails mid-upload, then it is the caller\'s 400, not a 500', async () => {
    const body = new Readable({ read() {} });
    body.push(Buffer.from('a1\n'));
    setImmediate(() => body.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    await expect(readTextLines(body, { maxBytes: 100, salt: '' }, () => undefined)).rejects.toMatchObject({ httpStatus: 400 });
  });
});
