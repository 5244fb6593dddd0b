/**
 * The Redis job store: every write is one atomic Lua script (create, enqueue, transition), reads
 * decode the job hash through `JobHashSchema`. See docs/job-runtime.md.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TERMINAL_STATUSES, type JobEvent } from '../contracts/index.js';
import { ERRORS } from '../errors/index.js';
import type { Keys, StreamKind } from '../redis/keys.js';
import { createCall, enqueueCall, enqueueScript, jobKeys, publishScript, runCalls, streamKeys, transitionScript, watchScript } from '../redis/scripts.js';
import { makeEnvelope } from './envelope.js';
import { decodeEvent } from './events.js';
import { decodeJobHash, encodeJobRecord, encodePatch, newJobRecord } from './hash.js';
import type { JobRecord, JobStore, NewJob, Transition } from './types.js';

/**
 * How long a finished or expired job's hash outlives its retention, so the API can still answer
 * 410 (instead of 404) for it.
 */
export const DEFAULT_TOMBSTONE_GRACE_MS = 7 * 24 * 3_600_000;

export interface JobStoreOptions {
  redis: Redis;
  keys: Keys;
  /** @defaultValue Date.now */
  clock?: () => number;
  /** @defaultValue DEFAULT_TOMBSTONE_GRACE_MS */
  tombstoneGraceMs?: number;
}

/**
 * Moves a created job's outbox mark into its stage stream (the outbox relay step).
 *
 * Safe to call any number of times and from any process: only the call that finds the mark adds
 * the entry. Returns the entry id, or null when there was nothing to enqueue.
 */
export function enqueueJob(redis: Redis, keys: Keys, jobId: string, kind: StreamKind = 'compare'): Promise<string | null> {
  return enqueueScript(redis, { job: keys.job(jobId), outbox: keys.outbox(), ...streamKeys(keys, kind) }, { jobId });
}

/** Creates the job store used by the API, services and the consumer runtime. */
export function createJobStore(opts: JobStoreOptions): JobStore {
  const { redis, keys } = opts;
  const clock = opts.clock ?? Date.now;
  const graceMs = opts.tombstoneGraceMs ?? DEFAULT_TOMBSTONE_GRACE_MS;

  async function get(id: string): Promise<JobRecord | null> {
    return decodeJobHash(await redis.hgetall(keys.job(id)));
  }

  return {
    async create(job: NewJob): Promise<JobRecord> {
      const now = clock();
      const rec = newJobRecord(job, now);
      const envelope = makeEnvelope({ type: 'CompareRequested', jobId: job.id, traceparent: job.traceparent });
      const create = createCall(
        { ...jobKeys(keys, job.id), accountJobs: keys.accountJobs(job.ownerId), outbox: keys.outbox(), expiry: keys.expiry() },
        {
          jobId: job.id,
          now,
          expiresAt: rec.expiresAt,
          kind: 'compare',
          envelope: JSON.stringify(envelope),
          eventData: JSON.stringify({ files: { old: job.files.old.name, new: job.files.new.name } }),
          fields: encodeJobRecord(rec),
        },
      );
      const enqueue = enqueueCall({ job: keys.job(job.id), outbox: keys.outbox(), ...streamKeys(keys, 'compare') }, { jobId: job.id });
      // Two steps (so each stays within one job's slot on a Cluster), sent back to back: one round trip. If
      // this process dies between them, the outbox sweeper finishes the enqueue.
      const [c, e] = await runCalls(redis, [create, enqueue]);
      if (c?.status === 'rejected') throw c.reason;
      if (e?.status === 'rejected') throw e.reason;
      const created = c?.status === 'fulfilled' && c.value === true;
      if (created) return rec;
      const existing = await get(job.id);
      if (!existing) throw new Error(`job ${job.id} vanished right after create`);
      return existing;
    },

    get,

    async events(id, o = {}): Promise<JobEvent[]> {
      const start = o.afterId ? `(${o.afterId}` : '-';
      const rows = o.count
        ? await redis.xrange(keys.jobEvents(id), start, '+', 'COUNT', o.count)
        : await redis.xrange(keys.jobEvents(id), start, '+');
      return rows.map(([eid, fields]) => decodeEvent(eid, fields));
    },

    async transition(id: string, t: Transition): Promise<boolean> {
      const next = t.next ? streamKeys(keys, t.next.kind) : undefined;
      const nextData = t.next
        ? JSON.stringify(makeEnvelope({ type: t.next.type, jobId: id, payload: t.next.payload }))
        : '';
      return transitionScript(
        redis,
        { ...jobKeys(keys, id), next },
        {
          tid: randomUUID(),
          jobId: id,
          from: t.from,
          to: t.to,
          now: clock(),
          patch: encodePatch(t.patch),
          eventType: t.event.type,
          eventData: t.event.data ? JSON.stringify(t.event.data) : '',
          terminal: TERMINAL_STATUSES.includes(t.to),
          graceMs,
          nextData,
        },
      );
    },

    async publish(jobId, next): Promise<void> {
      const envelope = JSON.stringify(makeEnvelope({ type: next.type, jobId, payload: next.payload }));
      const id = await publishScript(redis, { job: keys.job(jobId), ...streamKeys(keys, next.kind) }, { jobId, envelope });
      if (id === null) throw ERRORS.notFound('job', jobId);
    },

    async watch(id, ttlMs): Promise<void> {
      await watchScript(redis, { job: keys.job(id) }, { ttlMs });
    },

    async listByOwner(ownerId, o = {}): Promise<JobRecord[]> {
      const limit = Math.max(1, Math.min(o.limit ?? 20, 500));
      const ids = await redis.zrevrange(keys.accountJobs(ownerId), 0, limit - 1);
      if (ids.length === 0) return [];
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hgetall(keys.job(id));
      const replies = (await pipe.exec()) ?? [];
      const out: JobRecord[] = [];
      for (const [err, hash] of replies) {
        if (err) throw err;
        const rec = decodeJobHash(hash as Record<string, string>);
        if (rec) out.push(rec);
      }
      return out;
    },
  };
}
