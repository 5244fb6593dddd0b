/**
 * Live job events for SSE. The event stream in Redis is the data; Pub/Sub only says "look
 * again". One subscriber connection per process carries every open SSE stream, with
 * ref-counted channel subscriptions, and each stream also polls as a fallback (a ping lost while
 * the subscriber reconnects costs at most one poll interval).
 */
import type { Redis } from 'ioredis';
import { TERMINAL_STATUSES, type JobEvent } from '../contracts/index.js';
import type { JobStore } from '../jobs/types.js';
import type { Logger } from '../lib/logger.js';
import type { Keys } from '../redis/keys.js';

export interface JobEventHub {
  /** Calls `onPing` whenever the job announces a new event; returns the unsubscribe function. */
  subscribe(jobId: string, onPing: () => void): () => void;
  /** Number of channels currently subscribed (for tests and metrics). */
  channelCount(): number;
  /** Aborted by `close()`: open streams end with it, so a graceful shutdown is not held up. */
  readonly closed: AbortSignal;
  close(): Promise<void>;
}

/**
 * Creates the hub; the subscriber connection is opened by `connect` on first use, so a process
 * that never serves SSE never opens it.
 */
export function createJobEventHub(opts: { connect: () => Redis; keys: Keys; log: Logger }): JobEventHub {
  let sub: Redis | null = null;
  const closing = new AbortController();
  const listeners = new Map<string, Set<() => void>>();
  const pingAll = (channel: string) => {
    for (const fn of listeners.get(channel) ?? []) fn();
  };

  const connection = (): Redis => {
    if (sub) return sub;
    sub = opts.connect();
    sub.on('error', (err: Error) => opts.log.warn({ err: err.message }, 'live events subscriber error'));
    sub.on('message', (channel: string) => pingAll(channel));
    // After a reconnect (ioredis resubscribes) pings sent meanwhile are lost: re-read everything.
    sub.on('ready', () => {
      for (const channel of listeners.keys()) pingAll(channel);
    });
    return sub;
  };

  return {
    subscribe(jobId, onPing) {
      const channel = opts.keys.jobChannel(jobId);
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        // Not awaited: while Redis is away the stream still works by polling. Once the
        // subscription is active, everyone re-reads: an event appended before it was would
        // otherwise wait for the next poll.
        connection()
          .subscribe(channel)
          .then(() => pingAll(channel))
          .catch((err: Error) => opts.log.warn({ err: err.message, jobId }, 'subscribe failed; polling only'));
      }
      set.add(onPing);
      return () => {
        const current = listeners.get(channel);
        if (!current?.delete(onPing) || current.size > 0) return;
        listeners.delete(channel);
        sub?.unsubscribe(channel).catch(() => undefined);
      };
    },
    channelCount: () => listeners.size,
    closed: closing.signal,
    async close() {
      closing.abort();
      listeners.clear();
      const s = sub;
      sub = null;
      if (s) await s.quit().catch(() => s.disconnect());
    },
  };
}

export interface FollowOptions {
  /** Send only events after this id (the SSE Last-Event-ID). */
  afterId?: string | undefined;
  signal: AbortSignal;
  onEvent: (event: JobEvent) => void;
  /** Called after each quiet poll interval (the SSE keepalive comment). */
  onIdle: () => void;
  /** Fallback poll interval. @defaultValue 15000 */
  pollMs?: number;
}

const PAGE = 500;

/**
 * How long one watch mark lasts, and how often a follower renews it. Workers announce a job's
 * claim and finish events only while it is marked (Redis' clock on both sides, so no skew); a
 * lapsed mark costs at most one poll interval, never an event.
 */
export const WATCH_TTL_MS = 60_000;
const WATCH_RENEW_MS = WATCH_TTL_MS / 3;

/**
 * Sends the history after `afterId`, then live events, until an event with a terminal status
 * was sent (or the job is terminal with nothing newer), or `signal` aborts.
 */
export async function followJobEvents(
  deps: { jobs: JobStore; hub: JobEventHub },
  jobId: string,
  opts: FollowOptions,
): Promise<void> {
  let last = opts.afterId;
  let dirty = true;
  let wake: (() => void) | null = null;
  const ping = () => {
    dirty = true;
    wake?.();
  };
  // Subscribe and mark the job as watched before the first read, so an event appended in between
  // is either in that read or announced.
  const unsubscribe = deps.hub.subscribe(jobId, ping);
  opts.signal.addEventListener('abort', ping, { once: true });
  let watchedAt = -Infinity;
  try {
    while (!opts.signal.aborted) {
      if (performance.now() - watchedAt >= WATCH_RENEW_MS) {
        watchedAt = performance.now();
        // Without a mark the stream still works, by polling.
        await deps.jobs.watch(jobId, WATCH_TTL_MS).catch(() => undefined);
      }
      if (dirty) {
        dirty = false;
        // Read the status first: if it is terminal now, its event is in the page read next.
        const before = await deps.jobs.get(jobId);
        const events = await deps.jobs.events(jobId, { ...(last ? { afterId: last } : {}), count: PAGE });
        for (const ev of events) {
          if (opts.signal.aborted) return;
          opts.onEvent(ev);
          last = ev.id;
          if (ev.status && TERMINAL_STATUSES.includes(ev.status)) return;
        }
        if (events.length === PAGE) {
          dirty = true;
          continue;
        }
        if (!before || TERMINAL_STATUSES.includes(before.status)) return;
      }
      const pinged = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.min(opts.pollMs ?? 15_000, WATCH_RENEW_MS));
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
        if (dirty || opts.signal.aborted) wake();
      });
      wake = null;
      if (!pinged) {
        opts.onIdle();
        dirty = true;
      }
    }
  } finally {
    opts.signal.removeEventListener('abort', ping);
    unsubscribe();
  }
}
