/**
 * The generic stream consumer: XREADGROUP on a dedicated blocking connection with COUNT = free
 * slots, ONE claim.lua call per batch, handlers under a heartbeated lease, outcomes flushed in
 * micro-batches through finish.lua, and graceful shutdown. See docs/job-runtime.md.
 */
import type { Envelope } from '../contracts/index.js';
import { ERRORS } from '../errors/index.js';
import { decodeJobValues, JOB_RECORD_FIELDS } from '../jobs/hash.js';
import type { JobRecord } from '../jobs/types.js';
import { DEFAULT_TOMBSTONE_GRACE_MS } from '../jobs/store.js';
import { createRedis } from '../redis/client.js';
import { claimScript, heartbeatScript, jobKeys, progressScript, streamKeys, type ClaimItem, type ClaimReply } from '../redis/scripts.js';
import { decodeEntry } from './decode.js';
import { createFinisher } from './finisher.js';
import { ensureGroup } from './groups.js';
import { maintenanceDefaults, startMaintenance, type RawEntry } from './maintenance.js';
import { completeItem, failureItem, releaseItem, type RunRef } from './outcome.js';
import { readLoop } from './read-loop.js';
import {
  LeaseLostError,
  type Consumer,
  type ConsumerOptions,
  type ConsumerStats,
  type JobContext,
  type SettledJob,
  type StreamLogger,
} from './types.js';

interface Run extends RunRef {
  /** Created on first access of `ctx.signal` (most handlers of small jobs never look). */
  ctrl?: AbortController;
  startedAt: number;
  state: 'running' | 'finishing' | 'lost' | 'released';
  lastProgressEvent: number;
}

/** Starts a consumer on `opts.kind`'s stream; it runs until `close()` (or `opts.signal`). */
export function runConsumer<M extends Envelope>(opts: ConsumerOptions<M>): Consumer {
  const { redis, keys, jobs, log } = opts;
  const clock = opts.clock ?? Date.now;
  const graceMs = opts.tombstoneGraceMs ?? DEFAULT_TOMBSTONE_GRACE_MS;
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const progressInterval = opts.progressEventIntervalMs ?? 1_000;
  const sk = streamKeys(keys, opts.kind);
  const dead = keys.deadLetter();
  const startEvent = `${opts.kind}_started`;
  const stats: ConsumerStats = {
    inFlight: 0, claimed: 0, completed: 0, retried: 0, failed: 0, deadLettered: 0,
    rejected: 0, released: 0, lost: 0, reclaimed: 0, restored: 0, invalid: 0,
  };
  const runs = new Set<Run>();
  const entryIds = new Set<string>();
  let reserved = 0;
  let closing = false;
  let slotWaiters: (() => void)[] = [];

  const finisher = createFinisher({ redis, keys: { ...sk, dead, delayed: keys.delayed(opts.kind) }, graceMs, clock, log });
  const blocking = createRedis({ url: opts.url, name: `${opts.consumerName}:blocking` });
  blocking.on('error', (err: Error) => log.debug({ err: err.message }, 'blocking connection error'));

  const freeSlots = () => concurrency - runs.size - reserved;
  const wakeSlots = () => {
    const w = slotWaiters;
    slotWaiters = [];
    for (const f of w) f();
  };
  const settled = (s: Omit<SettledJob, 'durationMs'>, run?: Run) =>
    opts.onSettled?.({ ...s, durationMs: run ? clock() - run.startedAt : 0 });

  async function deadLetterInvalid(entryId: string, reason: string, data: string, jobId = ''): Promise<void> {
    stats.invalid++;
    log.warn({ entryId, jobId, reason }, 'invalid stream entry dead-lettered');
    await redis
      .multi()
      .xadd(dead, 'MAXLEN', '~', '100000', '*', 'stream', sk.stream, 'entry', entryId, 'job', jobId, 'reason', reason, 'data', data)
      .xack(sk.stream, sk.group, entryId)
      .hdel(sk.entries, entryId)
      .exec();
  }

  /** Claims a batch of delivered (or reclaimed) entries in one script call and starts the winners. */
  async function accept(entries: RawEntry[]): Promise<void> {
    reserved += entries.length;
    const items: ClaimItem[] = [];
    const msgs: { msg: M; data: string }[] = [];
    for (const [id, fields] of entries) {
      const d = entryIds.has(id) ? null : decodeEntry(opts.schema, fields);
      if (d === null) {
        reserved--;
        continue;
      }
      if (!d.ok) {
        reserved--;
        void deadLetterInvalid(id, d.reason, d.data, d.jobId).catch((err: Error) => log.error({ err: err.message }, 'dead-letter failed'));
        continue;
      }
      let route;
      try {
        route = opts.route(d.msg);
      } catch (err) {
        reserved--;
        void deadLetterInvalid(id, `route failed: ${(err as Error).message}`, d.data, d.msg.jobId).catch(() => undefined);
        continue;
      }
      entryIds.add(id);
      items.push({
        keys: jobKeys(keys, d.msg.jobId),
        entryId: id,
        jobId: d.msg.jobId,
        expect: route.expect,
        running: route.running ?? '',
        startEvent: route.startEvent ?? startEvent,
      });
      msgs.push({ msg: d.msg, data: d.data });
    }
    if (items.length === 0) return wakeSlots();
    let replies: ClaimReply[];
    try {
      replies = await claimScript(
        redis,
        { ...sk, dead },
        { consumer: opts.consumerName, now: clock(), leaseMs: jobs.leaseMs, maxAttempts: jobs.maxAttempts, graceMs, fields: JOB_RECORD_FIELDS },
        items,
      );
    } catch (err) {
      // The entries stay pending in our PEL; the reclaimer takes them once idle past the lease.
      log.error({ err: (err as Error).message, entries: items.length }, 'claim failed');
      for (const it of items) entryIds.delete(it.entryId);
      reserved -= items.length;
      return wakeSlots();
    }
    replies.forEach((r, i) => {
      reserved--;
      const it = items[i]!;
      if (r.code === 'claimed') return start(it, msgs[i]!.msg, msgs[i]!.data, r.token, r.attempt, r.values);
      entryIds.delete(it.entryId);
      if (r.code === 'dead') {
        stats.deadLettered++;
        settled({ jobId: it.jobId, entryId: it.entryId, result: 'dead', to: 'failed' });
      }
    });
    wakeSlots();
  }

  function start(it: ClaimItem, msg: M, data: string, token: string, attempt: number, values: (string | null)[]): void {
    const run: Run = {
      entryId: it.entryId, jobId: it.jobId, token, attempt, data, traceparent: msg.traceparent,
      route: { expect: it.expect as Run['route']['expect'], running: (it.running || undefined) as Run['route']['running'] },
      keys: it.keys, startedAt: clock(), state: 'running', lastProgressEvent: 0,
    };
    runs.add(run);
    stats.claimed++;
    void execute(run, msg, context(run, values));
  }

  function context(run: Run, values: (string | null)[]): JobContext {
    let job: JobRecord | undefined;
    let child: StreamLogger | undefined;
    return {
      jobId: run.jobId,
      token: run.token,
      attempt: run.attempt,
      get signal(): AbortSignal {
        if (!run.ctrl) {
          run.ctrl = new AbortController();
          if (run.state === 'lost' || run.state === 'released') run.ctrl.abort(new LeaseLostError(run.jobId, run.state));
        }
        return run.ctrl.signal;
      },
      get job(): JobRecord {
        if (!job) {
          try {
            job = decodeJobValues(values) ?? undefined;
          } catch (err) {
            throw ERRORS.validation(`job ${run.jobId} has a corrupt record: ${(err as Error).message}`);
          }
          if (!job) throw ERRORS.validation(`job ${run.jobId} has no record`);
        }
        return job;
      },
      get log(): StreamLogger {
        return (child ??= log.child ? log.child({ jobId: run.jobId, attempt: run.attempt }) : log);
      },
      progress: (pct, extra) => progress(run, pct, extra),
    };
  }

  async function progress(run: Run, pct: number, extra?: Record<string, unknown>): Promise<void> {
    if (run.state !== 'running') throw new LeaseLostError(run.jobId, run.state);
    const now = clock();
    const value = Math.max(0, Math.min(100, Math.round(pct)));
    const emit = now - run.lastProgressEvent >= progressInterval;
    if (emit) run.lastProgressEvent = now;
    const ok = await progressScript(redis, run.keys, {
      token: run.token, progress: value, now, emit, data: JSON.stringify({ ...extra, progress: value }),
    });
    if (!ok) {
      lose(run, 'fence moved');
      throw new LeaseLostError(run.jobId, 'fence moved');
    }
  }

  function lose(run: Run, reason: string): void {
    if (run.state !== 'running' && run.state !== 'finishing') return;
    run.state = 'lost';
    stats.lost++;
    log.warn({ jobId: run.jobId, reason }, 'lease lost; abandoning the job');
    run.ctrl?.abort(new LeaseLostError(run.jobId, reason));
    settled({ jobId: run.jobId, entryId: run.entryId, result: 'lost' }, run);
  }

  function done(run: Run): void {
    if (!runs.delete(run)) return;
    entryIds.delete(run.entryId);
    wakeSlots();
  }

  async function execute(run: Run, msg: M, ctx: JobContext): Promise<void> {
    let item;
    try {
      item = completeItem(run, await opts.handle(msg, ctx), keys);
    } catch (err) {
      item = failureItem(run, err, { ...jobs, now: clock() });
    }
    if (run.state !== 'running') return done(run); // lost or handed back: someone else owns it now
    run.state = 'finishing';
    const reply = await finisher.push(item);
    done(run);
    if (reply === 'dropped') return;
    if (reply !== 'applied') {
      stats.rejected++;
      return settled({ jobId: run.jobId, entryId: run.entryId, result: 'rejected' }, run);
    }
    const result = item.op === 'complete' ? 'completed' : item.op === 'retry' ? 'retried' : item.arg === '1' ? 'dead' : 'failed';
    if (result === 'completed') stats.completed++;
    else if (result === 'retried') stats.retried++;
    else if (result === 'dead') stats.deadLettered++;
    else stats.failed++;
    settled({ jobId: run.jobId, entryId: run.entryId, result, to: item.op === 'complete' ? (item.to as SettledJob['to']) : 'failed' }, run);
  }

  let heartbeatBusy = false;
  const heartbeat = setInterval(() => {
    if (heartbeatBusy) return;
    const now = clock();
    const due = [...runs].filter((r) => (r.state === 'running' || r.state === 'finishing') && now - r.startedAt >= jobs.leaseMs / 4);
    if (due.length === 0) return;
    heartbeatBusy = true;
    heartbeatScript(redis, sk, { consumer: opts.consumerName, leaseMs: jobs.leaseMs }, due)
      .then((replies) =>
        replies.forEach((r, i) => {
          const run = due[i]!;
          // A finishing run reads as lost once its own outcome applied (the fence moved on): not a loss.
          if (r === 'lost') {
            if (run.state === 'running') lose(run, 'lease taken over or job changed');
          }
          else if (r !== 'ok') {
            entryIds.delete(run.entryId);
            run.entryId = r;
            entryIds.add(r);
          }
        }),
      )
      .catch((err: Error) => log.warn({ err: err.message }, 'heartbeat failed'))
      .finally(() => (heartbeatBusy = false));
  }, Math.max(20, Math.floor(jobs.leaseMs / 3)));

  const stopMaintenance = startMaintenance({
    redis, keys, stream: sk, consumerName: opts.consumerName, jobs, clock, log,
    options: maintenanceDefaults(jobs, opts.maintenance),
    freeSlots: () => (closing ? 0 : freeSlots()),
    accept: (entries) => void accept(entries),
    count: (what, n) => (stats[what] += n),
  });

  const reading = readLoop({
    redis, blocking, stream: sk, consumerName: opts.consumerName, blockMs: jobs.blockMs, log,
    maxBatch: opts.readBatch ?? Math.max(1, Math.ceil(concurrency / 4)),
    stopped: () => closing,
    freeSlots,
    waitSlot: () => new Promise<void>((r) => slotWaiters.push(r)),
    accept: (entries) => void accept(entries),
    ensureGroup: () => ensureGroup(redis, keys, opts.kind),
  });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing$: Promise<void> | undefined;

  async function close(): Promise<void> {
    closing = true;
    stopMaintenance();
    wakeSlots();
    await reading.stop();
    // Let in-flight jobs finish within the grace period; hand the rest back so they restart at once.
    const deadline = clock() + jobs.shutdownGraceMs;
    while ((runs.size > 0 || reserved > 0) && clock() < deadline) {
      await new Promise<void>((r) => {
        slotWaiters.push(r);
        setTimeout(r, Math.max(1, Math.min(100, deadline - clock())));
      });
    }
    const handBack = [...runs].filter((r) => r.state === 'running');
    for (const run of handBack) {
      run.state = 'released';
      run.ctrl?.abort(new LeaseLostError(run.jobId, 'shutdown'));
      done(run);
    }
    const releases = handBack.map(async (run) => {
      const reply = await finisher.push(releaseItem(run, 'shutdown'));
      if (reply === 'applied') {
        stats.released++;
        settled({ jobId: run.jobId, entryId: run.entryId, result: 'released' }, run);
      }
    });
    if (!(await finisher.drain(5_000))) log.warn({}, 'shutdown: outcomes not flushed in time; their leases will lapse');
    await Promise.race([Promise.all(releases), new Promise((r) => setTimeout(r, 100))]);
    finisher.stop();
    clearInterval(heartbeat);
    await blocking.quit().catch(() => blocking.disconnect());
    log.info({ released: handBack.length }, 'consumer closed');
    resolveClosed();
  }

  opts.signal?.addEventListener('abort', () => void (closing$ ??= close()), { once: true });

  return {
    close: () => (closing$ ??= close()),
    closed,
    stats: () => ({ ...stats, inFlight: runs.size }),
  };
}
