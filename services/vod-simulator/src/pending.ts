/**
 * Responses the simulator is deliberately holding (hangs) and delays it is sleeping through
 * (latency), so stop() can end them instead of waiting for them.
 */
import type { Response } from 'express';

export interface Pending {
  hold(res: Response): void;
  sleep(ms: number): Promise<void>;
  /** Destroys held sockets and cuts every sleep short; later holds and sleeps still work. */
  releaseAll(): void;
}

export function createPending(): Pending {
  const held = new Set<Response>();
  const sleepers = new Map<NodeJS.Timeout, () => void>();
  return {
    hold(res) {
      held.add(res);
      res.on('close', () => held.delete(res));
    },
    sleep(ms) {
      if (ms <= 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          sleepers.delete(timer);
          resolve();
        }, ms);
        sleepers.set(timer, resolve);
      });
    },
    releaseAll() {
      for (const res of held) res.socket?.destroy();
      held.clear();
      for (const [timer, wake] of sleepers) {
        clearTimeout(timer);
        wake();
      }
      sleepers.clear();
    },
  };
}
