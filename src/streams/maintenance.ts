/**
 * The consumer's housekeeping loops: reclaimer (XAUTOCLAIM), delayed-retry promoter, outbox
 * sweeper and trimmer. Each is cheap, idempotent and safe to run in every process at once.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import { TERMINAL_STATUSES } from '../contracts/index.js';
import { enqueueJob } from '../jobs/store.js';
import { STREAM_KINDS, type Keys, type StreamKind } from '../redis/keys.js';
import { promoteScript, restoreScript, trimScript, type StreamKeys } from '../redis/scripts.js';
import type { MaintenanceOptions, StreamLogger } from './types.js';

export type RawEntry = [id: string, fields: string[] | null];

export interface MaintenanceDeps {
  redis: Redis;
  keys: Keys;
  stream: StreamKeys;
  consumerName: string;
  jobs: Config['jobs'];
  clock: () => number;
  log: StreamLogger;
  options: MaintenanceOptions;
  /** Slots free for reclaimed entries right now. */
  freeSlots(): number;
  /** Hands reclaimed entries to the consumer (reserves their slots synchronously). */
  accept(entries: RawEntry[]): void;
  count(what: 'reclaimed' | 'restored', n: number): void;
}

/** Defaults derived from the job config. */
export function maintenanceDefaults(jobs: Config['jobs'], o: Partial<MaintenanceOptions> = {}): MaintenanceOptions {
  return {
    enabled: o.enabled ?? true,
    outboxAgeMs: o.outboxAgeMs ?? 5_000,
    trimIntervalMs: o.trimIntervalMs ?? Math.max(jobs.reclaimIntervalMs, 10_000),
    promoteIntervalMs: o.promoteIntervalMs ?? Math.min(1_000, Math.max(50, Math.floor(jobs.retryBaseMs / 2))),
    consumerIdleMs: o.consumerIdleMs ?? Math.max(3_600_000, 10 * jobs.leaseMs),
  };
}

/** XAUTOCLAIM entries idle past the lease, following the cursor until 0-0 or no slot is free. */
export async function reclaimOnce(d: MaintenanceDeps): Promise<void> {
  let cursor = '0-0';
  for (let page = 0; page < 50; page++) {
    const free = d.freeSlots();
    if (free <= 0) return;
    const reply = (await d.redis.xautoclaim(
      d.stream.stream, d.stream.group, d.consumerName, d.jobs.leaseMs, cursor, 'COUNT', Math.min(free, 100),
    )) as [string, RawEntry[], string[]?];
    const [next, claimed, deleted] = reply;
    if (deleted && deleted.length > 0) await restoreDeleted(d, deleted);
    const live = claimed.filter((e) => e[1] !== null);
    if (live.length > 0) {
      d.count('reclaimed', live.length);
      d.accept(live);
    }
    cursor = next;
    if (cursor === '0-0') return;
  }
}

/** Re-adds pending entries that were deleted or trimmed, from the job hash via the entries index. */
export async function restoreDeleted(d: MaintenanceDeps, ids: readonly string[]): Promise<void> {
  const jobIds = await d.redis.hmget(d.stream.entries, ...ids);
  const entries: { entryId: string; jobId: string; job: string }[] = [];
  ids.forEach((entryId, i) => {
    const jobId = jobIds[i];
    if (jobId) entries.push({ entryId, jobId, job: d.keys.job(jobId) });
  });
  if (entries.length === 0) return;
  const added = await restoreScript(d.redis, d.stream, { terminal: TERMINAL_STATUSES, entries });
  if (added > 0) {
    d.count('restored', added);
    d.log.warn({ stream: d.stream.stream, restored: added }, 're-added entries deleted while pending');
  }
}

/** Moves due retries back into the stream. */
export async function promoteOnce(d: MaintenanceDeps): Promise<number> {
  const now = d.clock();
  const delayed = d.keys.delayed(d.stream.kind);
  const ids = await d.redis.zrangebyscore(delayed, '-inf', now, 'LIMIT', 0, 200);
  if (ids.length === 0) return 0;
  return promoteScript(d.redis, { ...d.stream, delayed }, { now, jobs: ids.map((jobId) => ({ jobId, job: d.keys.job(jobId) })) });
}

/** Enqueues jobs whose creator died between "job written" and "job enqueued". */
export async function sweepOutboxOnce(d: MaintenanceDeps): Promise<number> {
  const ids = await d.redis.zrangebyscore(d.keys.outbox(), '-inf', d.clock() - d.options.outboxAgeMs, 'LIMIT', 0, 100);
  let n = 0;
  for (const id of ids) {
    const ob = await d.redis.hget(d.keys.job(id), 'ob');
    const kind: StreamKind = (STREAM_KINDS as readonly string[]).includes(ob ?? '') ? (ob as StreamKind) : 'compare';
    if ((await enqueueJob(d.redis, d.keys, id, kind)) !== null) n++;
  }
  if (n > 0) d.log.warn({ enqueued: n }, 'outbox sweeper enqueued jobs left half-created');
  return n;
}

/** Starts every loop; returns a function that stops them. */
export function startMaintenance(d: MaintenanceDeps): () => void {
  if (!d.options.enabled) return () => undefined;
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const every = (name: string, ms: number, fn: () => Promise<unknown>) => {
    const tick = async () => {
      if (stopped) return;
      try {
        await fn();
      } catch (err) {
        d.log.warn({ err: (err as Error).message, loop: name }, 'maintenance loop failed');
      }
      if (!stopped) schedule(ms);
    };
    const schedule = (delay: number) => {
      const t = setTimeout(() => {
        timers.delete(t);
        void tick();
      }, delay);
      timers.add(t);
    };
    // Spread the first runs so many processes started together do not move in lockstep.
    schedule(Math.floor(Math.random() * Math.min(ms, 500)));
  };
  every('reclaim', d.jobs.reclaimIntervalMs, () => reclaimOnce(d));
  every('promote', d.options.promoteIntervalMs, () => promoteOnce(d));
  every('outbox', d.jobs.reclaimIntervalMs, () => sweepOutboxOnce(d));
  every('trim', d.options.trimIntervalMs, () => trimScript(d.redis, d.stream, { consumerIdleMs: d.options.consumerIdleMs }));
  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}
