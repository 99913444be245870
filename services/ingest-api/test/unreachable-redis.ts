import type { AppConfig } from '@refresh/config';
import { QUEUE_NAMES, createRedis, queuePrefix } from '@refresh/store';
import { Queue } from 'bullmq';
import pino from 'pino';
import { createApi } from '../src';

export interface ApiWithoutRedis {
  url: string;
  close(): Promise<void>;
}

/**
 * The API as it runs while Redis is down: nothing listens on port 1, so every command fails at
 * once (the API role does not queue commands offline) and the connections end without retrying.
 */
export async function startApiWithoutRedis(config: AppConfig): Promise<ApiWithoutRedis> {
  const ignore = () => undefined;
  const options = { retryStrategy: () => null, lazyConnect: true };
  const redis = createRedis('redis://127.0.0.1:1', 'api', ignore, options);
  const queueRedis = createRedis('redis://127.0.0.1:1', 'api', ignore, options);
  const queue = new Queue(QUEUE_NAMES.ingest, { connection: queueRedis, prefix: queuePrefix(config.env.KEY_PREFIX) });
  queue.on('error', ignore);
  const api = createApi({ config, redis, queues: { ingest: queue }, logger: pino({ level: 'silent' }) });
  const { url } = await api.start(0, '127.0.0.1');
  return {
    url,
    async close() {
      await api.stop();
      await queue.close();
      // with no retries they have ended already; disconnect() would only start a timer
      for (const r of [redis, queueRedis]) if (r.status !== 'end') r.disconnect();
    },
  };
}
