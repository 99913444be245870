import { Cluster, type Redis } from 'ioredis';

/** The one policy under which Redis never drops a key of ours to make room. */
export const SAFE_MEMORY_POLICY = 'noeviction';

/** What the check needs of a logger; a pino logger fits. */
export interface PolicyLogger {
  warn(obj: object, msg: string): void;
}

/** One node's policy, or null when neither CONFIG nor INFO would tell it. */
export interface NodePolicy {
  node: string;
  policy: string | null;
}

const WHY = 'under memory pressure Redis would silently drop queued items, budget counters and queue jobs';

/**
 * Reads `maxmemory-policy` from every node that holds our keys (each master of a Cluster) and
 * warns unless it is `noeviction`. Eviction would drop queued items, a tenant's budget counter
 * (the next call overspends VOD's daily quota) or BullMQ job keys, all without an error.
 * Managed Redis often disables CONFIG, so INFO's `maxmemory_policy` is asked next; when
 * neither answers the check warns that it could not verify. Never throws: it only advises.
 */
export async function checkMemoryPolicy(redis: Redis | Cluster, logger: PolicyLogger): Promise<NodePolicy[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const out: NodePolicy[] = [];
  for (const node of nodes) {
    const name = `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
    const policy = await readPolicy(node);
    out.push({ node: name, policy });
    if (policy === null) {
      logger.warn({ node: name }, `could not read Redis maxmemory-policy (CONFIG and INFO refused); it must be ${SAFE_MEMORY_POLICY}, else ${WHY}`);
    } else if (policy !== SAFE_MEMORY_POLICY) {
      logger.warn({ node: name, policy }, `Redis maxmemory-policy is ${policy}, not ${SAFE_MEMORY_POLICY}: ${WHY}`);
    }
  }
  return out;
}

async function readPolicy(node: Redis): Promise<string | null> {
  try {
    const reply = (await node.config('GET', 'maxmemory-policy')) as string[];
    if (typeof reply[1] === 'string') return reply[1];
  } catch {
    // CONFIG renamed away or denied by ACL: INFO usually still answers
  }
  try {
    const info = await node.info('memory');
    return /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? null;
  } catch {
    return null;
  }
}
