/**
 * Redis connection factory. Every process opens a small, fixed set of connections:
 * `command` for scripts and reads, `blocking` (one per consumer) for XREADGROUP BLOCK, and
 * `subscriber` for Pub/Sub. Connection names make them visible (and killable) in CLIENT LIST.
 */
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  /** Shown in CLIENT LIST, e.g. `compare-worker:host-1234:blocking`. */
  name: string;
  /**
   * Fail commands at once while disconnected instead of queueing them (the API uses this so a
   * request answers 503 instead of hanging; workers queue and retry).
   */
  failFast?: boolean;
  /** Upper bound of the reconnect backoff. @defaultValue 5000 */
  maxReconnectDelayMs?: number;
}

/** Full-jitter exponential reconnect delay: random(0, min(cap, 100 · 2^attempt)), at least 50 ms. */
export function reconnectDelay(attempt: number, capMs: number, random = Math.random): number {
  const ceiling = Math.min(capMs, 100 * 2 ** Math.min(attempt, 20));
  return Math.max(50, Math.floor(random() * ceiling));
}

export function createRedis(opts: RedisConnectionOptions): Redis {
  const cap = opts.maxReconnectDelayMs ?? 5_000;
  const options: RedisOptions = {
    connectionName: opts.name.replace(/[^A-Za-z0-9:._-]/g, '_'),
    lazyConnect: false,
    enableOfflineQueue: !opts.failFast,
    // Commands in flight when a connection drops are re-sent after reconnecting; every script is
    // idempotent under re-sending (docs/job-runtime.md).
    autoResendUnfulfilledCommands: true,
    maxRetriesPerRequest: opts.failFast ? 1 : null,
    retryStrategy: (times) => reconnectDelay(times, cap),
    connectTimeout: 5_000,
  };
  return new Redis(opts.url, options);
}
