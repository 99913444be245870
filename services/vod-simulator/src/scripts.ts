/**
 * Answers a test asks for, so every row of Huawei's error table can be produced on demand:
 * - script: the next n RefreshAsset calls for a project answer an error (FIFO across scripts);
 * - rejectItems: a RefreshAsset call naming one of these items answers an error;
 * - failItems: these items end FAILED in ShowRefreshResult (decided when their task is accepted).
 */
import type { ScriptedAnswer } from './options';

export interface ScriptBook {
  script(projectId: string, count: number, answer: ScriptedAnswer): void;
  /** Consumes and returns the project's next scripted answer, if any. */
  next(projectId: string): ScriptedAnswer | undefined;
  rejectItems(projectId: string, items: readonly string[], answer: ScriptedAnswer): void;
  /** The answer for the first listed item in `items`, if any. */
  rejection(projectId: string, items: readonly string[]): ScriptedAnswer | undefined;
  failItems(items: readonly string[]): void;
  /** Those of `items` listed in failItems. */
  failing(items: readonly string[]): Set<string>;
  clear(): void;
}

export function createScriptBook(): ScriptBook {
  const queues = new Map<string, Array<{ remaining: number; answer: ScriptedAnswer }>>();
  const rejected = new Map<string, Map<string, ScriptedAnswer>>();
  const failed = new Set<string>();
  return {
    script(projectId, count, answer) {
      if (count <= 0) return;
      const queue = queues.get(projectId) ?? [];
      queue.push({ remaining: count, answer: { ...answer } });
      queues.set(projectId, queue);
    },
    next(projectId) {
      const queue = queues.get(projectId);
      const head = queue?.[0];
      if (!queue || !head) return undefined;
      head.remaining -= 1;
      if (head.remaining === 0) queue.shift();
      return head.answer;
    },
    rejectItems(projectId, items, answer) {
      const byItem = rejected.get(projectId) ?? new Map<string, ScriptedAnswer>();
      for (const item of items) byItem.set(item, { ...answer });
      rejected.set(projectId, byItem);
    },
    rejection(projectId, items) {
      const byItem = rejected.get(projectId);
      if (!byItem) return undefined;
      for (const item of items) {
        const answer = byItem.get(item);
        if (answer) return answer;
      }
      return undefined;
    },
    failItems(items) {
      for (const item of items) failed.add(item);
    },
    failing: (items) => new Set(items.filter((item) => failed.has(item))),
    clear() {
      queues.clear();
      rejected.clear();
      failed.clear();
    },
  };
}
