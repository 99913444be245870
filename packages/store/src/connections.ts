import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

export type RedisRole = 'api' | 'worker';

/** A standalone connection or a Redis Cluster client: every store function takes either. */
export type RedisClient = Redis | Cluster;

/**
 * Where Redis is: a URL, or the parsed env (config.env): REDIS_URL plus, for a Redis Cluster,
 * the `host:port` seed nodes of REDIS_CLUSTER_NODES. With seed nodes the URL only lends its
 * credentials and TLS.
 */
export type RedisTarget = string | { REDIS_URL: string; REDIS_CLUSTER_NODES?: readonly string[] };

/**
 * The one place that decides how the service connects to Redis. One connection per role, each
 * with an error listener (an unhandled 'error' would crash the process). Workers wait for Redis
 * to come back (`maxRetriesPerRequest: null`, as BullMQ requires of blocking connections, also
 * on a cluster's nodes); the API fails fast so a Redis outage gives callers a clear 503, not a
 * hang. On a cluster every key a script or pipeline touches shares one hash tag (see keys.ts).
 */
export function createRedis(
  target: RedisTarget,
  role: RedisRole,
  onError: (err: Error) => void,
  extra: RedisOptions = {},
): RedisClient {
  const { REDIS_URL: url, REDIS_CLUSTER_NODES: clusterNodes = [] } = typeof target === 'string' ? { REDIS_URL: target } : target;
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const redis = clusterNodes.length > 0 ? createCluster(url, clusterNodes, role, { ...options, ...extra }) : new Redis(url, { ...options, ...extra });
  redis.on('error', onError);
  return redis;
}

function createCluster(url: string, nodes: readonly string[], role: RedisRole, nodeOptions: RedisOptions): Cluster {
  const u = new URL(url);
  const { enableOfflineQueue, ...redisOptions } = nodeOptions;
  const clusterOptions: ClusterOptions = {
    redisOptions: {
      ...redisOptions,
      username: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      tls: u.protocol === 'rediss:' ? {} : undefined,
    },
    // the API's fail-fast applies to the cluster's own offline queue as well as each node's;
    // both roles keep reconnecting (ioredis' default cluster retry), as a standalone client does
    enableOfflineQueue: role === 'api' ? false : (enableOfflineQueue ?? true),
    // CLUSTER SLOTS may take a moment on a busy node; ioredis' 1 s fails the refresh needlessly
    slotsRefreshTimeout: 5000,
  };
  return new Cluster(
    nodes.map((n) => {
      const [host, port] = splitHostPort(n);
      return { host, port };
    }),
    clusterOptions,
  );
}

/** `host:port` (IPv6 in brackets: `[::1]:7001`). */
export function splitHostPort(node: string): [string, number] {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(node.trim());
  if (!m) throw new Error(`not a host:port: ${node}`);
  return [m[1]!, Number(m[2])];
}

/** True for a Redis Cluster client. */
export function isCluster(redis: RedisClient): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}
