import type { RefreshClient } from '@refresh/client';
import { printFields, printJson } from '../output';

/**
 * `refresh status <id>`: the request's view, and with --items every item. With --json the
 * items are written one by one into a single JSON document, so a request of a million items
 * prints in constant memory.
 */
export async function status(client: RefreshClient, requestId: string, flags: { json?: boolean; items?: boolean }): Promise<void> {
  const view = await client.get(requestId);
  if (flags.json && !flags.items) {
    printJson(view);
    return;
  }
  const out = process.stdout;
  if (flags.json) {
    out.write(`{"request":${JSON.stringify(view)},"items":[`);
    let first = true;
    for await (const item of client.items(requestId)) {
      await write(`${first ? '\n' : ',\n'}${JSON.stringify(item)}`);
      first = false;
    }
    out.write('\n]}\n');
    return;
  }
  const { counts, ...rest } = view;
  printFields({ ...rest, task_ids: undefined, ...counts, task_ids_count: view.task_ids.length });
  if (!flags.items) return;
  for await (const item of client.items(requestId)) {
    const extra = [item.task_id, item.error ? `${item.error.code}: ${item.error.message}` : undefined].filter(Boolean).join('\t');
    await write(`${item.state}\t${item.kind}\t${item.value}${extra ? `\t${extra}` : ''}\n`);
  }
}

/** stdout write that waits when a slow reader (a pipe into less) cannot keep up. */
function write(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}
