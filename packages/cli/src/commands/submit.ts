import { progressOf, type Priority, type RefreshClient } from '@refresh/client';
import { EXIT, ExitWith } from '../exit-codes';
import { openItems } from '../input';
import { note, printFields, printJson } from '../output';
import { progressDisplay } from '../progress-display';

export interface SubmitFlags {
  tenant: string;
  priority?: Priority;
  idempotencyKey?: string;
  callbackUrl?: string;
  wait?: boolean;
  timeout?: number;
  interval: number;
  json?: boolean;
}

/** `refresh submit`: stream the items, then optionally follow the request to its end. */
export async function submit(client: RefreshClient, file: string | undefined, flags: SubmitFlags): Promise<void> {
  const items = openItems(file);
  const accepted = await client.submit(flags.tenant, items, { priority: flags.priority, idempotencyKey: flags.idempotencyKey, callbackUrl: flags.callbackUrl });
  if (!flags.wait) {
    if (flags.json) printJson(accepted);
    else printFields({ request_id: accepted.request_id, received: accepted.received });
    return;
  }

  note(`request ${accepted.request_id} accepted (${accepted.received} items); waiting for every item to be final`);
  const display = progressDisplay({ tty: process.stderr.isTTY === true });
  const stopOnInterrupt = () => {
    display.stop();
    process.exit(130);
  };
  process.once('SIGINT', stopOnInterrupt);
  let view;
  try {
    view = await client.waitFor(accepted.request_id, {
      intervalMs: flags.interval,
      timeoutMs: flags.timeout === undefined ? undefined : flags.timeout * 1000,
      onProgress: (v) => display.update(v),
    });
  } finally {
    display.stop();
    process.off('SIGINT', stopOnInterrupt);
  }

  const { counts } = progressOf(view);
  if (flags.json) printJson(view);
  else printFields({ request_id: view.request_id, status: view.status, completed: counts.completed, failed: counts.failed, unknown: counts.unknown, canceled: counts.canceled });
  if (counts.failed + counts.unknown + counts.canceled > 0) {
    throw new ExitWith(EXIT.itemsNotCompleted,
      `${counts.failed} failed, ${counts.unknown} unknown and ${counts.canceled} canceled items; see refresh status ${view.request_id} --items`);
  }
}
