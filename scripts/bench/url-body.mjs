// The upload: one URL a line, generated as it is sent so a million lines never sit in memory.
import { Readable } from 'node:stream';

const LINES_PER_CHUNK = 1000;

export const benchUrl = (run, i) => `https://cdn.example.com/bench/${run}/${i}.m3u8`;

/** Exact byte count of the body (for Content-Length) and the mean URL length, without building it. */
export function bodyStats(run, count) {
  const fixed = benchUrl(run, '').length;
  let chars = 0;
  for (let i = 0; i < count; i++) chars += fixed + String(i).length;
  return { bytes: chars + count, meanUrlLength: chars / count };
}

/** A Readable of `count` lines, LINES_PER_CHUNK at a time (ASCII only, so chars = bytes). */
export function urlBody(run, count) {
  let next = 0;
  return new Readable({
    read() {
      if (next >= count) {
        this.push(null);
        return;
      }
      const end = Math.min(count, next + LINES_PER_CHUNK);
      let text = '';
      for (; next < end; next++) text += `${benchUrl(run, next)}\n`;
      this.push(text);
    },
  });
}
