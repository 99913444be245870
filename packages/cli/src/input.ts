import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { UsageError } from './exit-codes';

/**
 * The items to submit as a byte stream: the file, or stdin for `-` or no file. Streamed to the
 * service as read, so a file of any size goes through in constant memory.
 */
export function openItems(file: string | undefined): Readable {
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY) throw new UsageError('give a file of items, or pipe them on stdin (one asset id or URL a line)');
    return process.stdin;
  }
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!isFile) throw new UsageError(`${file} is not a file`);
  return createReadStream(file);
}
