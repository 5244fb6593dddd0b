/**
 * Micro-batching of job outcomes: everything finished while the previous flush was in flight (or
 * in the same tick) goes to Redis in ONE finish.lua call.
 *
 * A flush that fails (connection lost) is retried with backoff: finish.lua is idempotent, and an
 * outcome whose lease lapsed meanwhile is rejected by the fence, never applied twice.
 */
import type { Redis } from 'ioredis';
import { finishScript, type FinishItem, type FinishReply, type StreamKeys } from '../redis/scripts.js';
import type { StreamLogger } from './types.js';

interface Queued {
  item: FinishItem;
  resolve(r: FinishReply | 'dropped'): void;
}

export interface Finisher {
  /** Queues one outcome; resolves with the script's verdict, or 'dropped' if the finisher stopped first. */
  push(item: FinishItem): Promise<FinishReply | 'dropped'>;
  /** Resolves true once nothing is queued or in flight, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Stops retrying; queued outcomes resolve 'dropped'. */
  stop(): void;
}

export function createFinisher(o: {
  redis: Redis;
  keys: StreamKeys & { dead: string; delayed: string };
  graceMs: number;
  clock: () => number;
  log: StreamLogger;
  maxBatch?: number;
}): Finisher {
  const maxBatch = o.maxBatch ?? 500;
  let queue: Queued[] = [];
  let running = false;
  let scheduled = false;
  let stopped = false;
  let failures = 0;
  let idleWaiters: (() => void)[] = [];

  const idle = () => !running && !scheduled && queue.length === 0;
  const notifyIdle = () => {
    if (!idle()) return;
    const w = idleWaiters;
    idleWaiters = [];
    for (const f of w) f();
  };

  function schedule(delayMs = 0): void {
    if (running || scheduled || stopped) return;
    scheduled = true;
    if (delayMs > 0) setTimeout(flush, delayMs);
    else setImmediate(flush);
  }

  async function flush(): Promise<void> {
    scheduled = false;
    if (running || queue.length === 0 || stopped) return notifyIdle();
    running = true;
    const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
    queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
    let retryIn = 0;
    try {
      const replies = await finishScript(o.redis, o.keys, { now: o.clock(), graceMs: o.graceMs }, batch.map((b) => b.item));
      failures = 0;
      batch.forEach((b, i) => b.resolve(replies[i] ?? 'stale'));
    } catch (err) {
      failures++;
      retryIn = Math.min(2_000, 50 * 2 ** Math.min(failures, 6));
      o.log.warn({ err: (err as Error).message, jobs: batch.length, retryIn }, 'finish flush failed; retrying');
      queue = batch.concat(queue);
    } finally {
      running = false;
    }
    if (queue.length > 0) schedule(retryIn);
    else notifyIdle();
  }

  return {
    push(item) {
      if (stopped) return Promise.resolve('dropped');
      return new Promise((resolve) => {
        queue.push({ item, resolve });
        schedule();
      });
    },
    drain(timeoutMs) {
      if (idle()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), timeoutMs);
        idleWaiters.push(() => {
          clearTimeout(t);
          resolve(true);
        });
      });
    },
    stop() {
      stopped = true;
      const q = queue;
      queue = [];
      for (const b of q) b.resolve('dropped');
      notifyIdle();
    },
  };
}
