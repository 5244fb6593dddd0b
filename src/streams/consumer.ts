/**
 * The generic stream consumer: XREADGROUP on a dedicated blocking connection, claims batched into
 * one claim.lua call per step, handlers under a heartbeated lease, outcomes batched into one
 * finish.lua call per step (claim and finish of a step share one round trip), and graceful
 * shutdown. See docs/job-runtime.md.
 */
import type { Envelope } from '../contracts/index.js';
import { describeError } from '../errors/index.js';
import { DEFAULT_TOMBSTONE_GRACE_MS } from '../jobs/store.js';
import { JOB_RECORD_FIELDS } from '../jobs/hash.js';
import { createRedis } from '../redis/client.js';
import { jobKeys, requeueScript, streamKeys, type ClaimReply } from '../redis/scripts.js';
import { decodeEntry } from './decode.js';
import { ensureGroup } from './groups.js';
import { maintenanceDefaults, startMaintenance, type RawEntry } from './maintenance.js';
import { completeItem, failureItem, releaseItem } from './outcome.js';
import { createPump, type Pump, type Waiting } from './pump.js';
import { readLoop } from './read-loop.js';
import { Run, startHeartbeat } from './run.js';
import { LeaseLostError, type Consumer, type ConsumerOptions, type ConsumerStats, type Route, type SettledJob } from './types.js';

/** Jobs shorter than this (moving average) let the consumer read ahead of its free slots. */
const SHORT_JOB_MS = 50;

/** Starts a consumer on `opts.kind`'s stream; it runs until `close()` (or `opts.signal`). */
export function runConsumer<M extends Envelope>(opts: ConsumerOptions<M>): Consumer {
  const { redis, keys, jobs, log } = opts;
  const clock = opts.clock ?? Date.now;
  const graceMs = opts.tombstoneGraceMs ?? DEFAULT_TOMBSTONE_GRACE_MS;
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const sk = streamKeys(keys, opts.kind);
  const dead = keys.deadLetter();
  const startEvent = `${opts.kind}_started`;
  const stats: ConsumerStats = {
    inFlight: 0, claimed: 0, completed: 0, retried: 0, failed: 0, deadLettered: 0,
    rejected: 0, released: 0, lost: 0, reclaimed: 0, restored: 0, invalid: 0,
  };
  /** Counts into the stats and reports to `opts.onCount` (metrics). */
  const count = (what: Exclude<keyof ConsumerStats, 'inFlight'>, n = 1) => {
    stats[what] += n;
    opts.onCount?.(what, n);
  };
  const runs = new Set<Run>();
  /** Entry ids read, claimed or running here: a second delivery of one of them is skipped. */
  const entryIds = new Set<string>();
  let handlers = 0;
  let avgJobMs: number | undefined;
  let closing = false;
  let wakers: (() => void)[] = [];

  const blocking = createRedis({ url: opts.url, name: `${opts.consumerName}:blocking` });
  blocking.on('error', (err: Error) => log.debug({ err: err.message }, 'blocking connection error'));

  const wake = () => {
    const w = wakers;
    wakers = [];
    for (const f of w) f();
  };
  const freeSlots = (): number => concurrency - handlers - pump.queued() - pump.claiming();
  // Read ahead only while jobs are short: a long job would leave read-ahead entries waiting. Twice
  // the slots: the next read waits in Redis behind the steps already sent, and with one slot's
  // worth the buffer ran dry meanwhile (about a quarter of the steps then carried no claim).
  const readAhead = () => (avgJobMs !== undefined && avgJobMs < SHORT_JOB_MS ? Math.max(2 * concurrency, 32) : 0);
  const wanted = (): number => {
    if (closing) return 0;
    const ahead = readAhead();
    const want = freeSlots() + ahead - pump.waiting.length;
    // Top up in batches: while entries still wait, read again once half the read-ahead drained.
    return pump.waiting.length > 0 && want < Math.max(1, ahead / 2) ? 0 : want;
  };
  const settled = (jobId: string, entryId: string, result: SettledJob['result'], run?: Run, to?: SettledJob['to'], code?: string) => {
    if (!opts.onSettled) return;
    const s: SettledJob = { jobId, entryId, result, durationMs: run ? clock() - run.startedAt : 0 };
    if (to) s.to = to;
    if (code) s.code = code;
    opts.onSettled(s);
  };
  const runDeps = { redis, log, clock, onLost: (run: Run, reason: string) => lose(run, reason), progressEventIntervalMs: opts.progressEventIntervalMs ?? 1_000 };

  const pump: Pump<M> = createPump<M>({
    redis,
    stream: { ...sk, dead, delayed: keys.delayed(opts.kind) },
    claimArgs: () => ({ consumer: opts.consumerName, now: clock(), leaseMs: jobs.leaseMs, maxAttempts: jobs.maxAttempts, graceMs, fields: JOB_RECORD_FIELDS }),
    graceMs,
    clock,
    log,
    freeSlots,
    claimed,
    settled: wake,
    // Two steps of half the slots each: Redis runs one while this process handles the other's
    // replies. Three steps of a third ran 6 % fewer jobs/s at 100 in flight (smaller batches cost
    // more per job on both sides); docs/job-runtime.md.
    maxSteps: 2,
    maxBatch: Math.max(8, Math.ceil(concurrency / 2)),
  });

  async function deadLetterInvalid(entryId: string, reason: string, data: string, jobId = ''): Promise<void> {
    count('invalid');
    log.warn({ entryId, jobId, reason }, 'invalid stream entry dead-lettered');
    await redis
      .multi()
      .xadd(dead, 'MAXLEN', '~', '100000', '*', 'stream', sk.stream, 'entry', entryId, 'job', jobId, 'reason', reason, 'data', data)
      .xack(sk.stream, sk.group, entryId)
      .hdel(sk.entries, entryId)
      .exec();
  }

  /** Decodes and routes delivered (or reclaimed) entries; valid ones wait for a slot in the pump. */
  function accept(entries: RawEntry[]): void {
    const ready: Waiting<M>[] = [];
    const now = clock();
    for (const [id, fields] of entries) {
      if (entryIds.has(id)) continue;
      const d = decodeEntry(opts.schema, fields);
      if (!d.ok) {
        void deadLetterInvalid(id, d.reason, d.data, d.jobId).catch((err: Error) => log.error({ err: err.message }, 'dead-letter failed'));
        continue;
      }
      let route: Route;
      try {
        route = opts.route(d.msg);
      } catch (err) {
        void deadLetterInvalid(id, `route failed: ${(err as Error).message}`, d.data, d.msg.jobId).catch(() => undefined);
        continue;
      }
      entryIds.add(id);
      const item = {
        keys: jobKeys(keys, d.msg.jobId), entryId: id, jobId: d.msg.jobId, expect: route.expect,
        running: route.running ?? '', startEvent: route.startEvent ?? startEvent, record: route.record ?? true,
      };
      ready.push({ item, msg: d.msg, data: d.data, readAt: now });
    }
    if (ready.length > 0) pump.offer(ready);
  }

  function claimed(w: Waiting<M>, r: ClaimReply): void {
    if (r.code !== 'claimed') {
      entryIds.delete(w.item.entryId);
      if (r.code === 'dead') {
        count('deadLettered');
        settled(w.item.jobId, w.item.entryId, 'dead', undefined, 'failed', 'max_attempts_exceeded');
      }
      return;
    }
    const run = new Run(w, r.token, r.attempt, r.record, runDeps);
    runs.add(run);
    count('claimed');
    handlers++;
    void execute(run, w.msg);
  }

  function lose(run: Run, reason: string): void {
    if (run.state !== 'running') return;
    run.state = 'lost';
    count('lost');
    log.warn({ jobId: run.jobId, reason }, 'lease lost; abandoning the job');
    run.abort(new LeaseLostError(run.jobId, reason));
    settled(run.jobId, run.entryId, 'lost', run);
  }

  function forget(run: Run): void {
    if (!runs.delete(run)) return;
    entryIds.delete(run.entryId);
  }

  async function execute(run: Run, msg: M): Promise<void> {
    let item;
    let code: string | undefined;
    try {
      const out = await opts.handle(msg, run.ctx);
      item = completeItem(run, out, keys);
      if (out?.to === 'failed') code = typeof out.event.data?.code === 'string' ? out.event.data.code : 'unknown';
    } catch (err) {
      code = describeError(err).code;
      item = failureItem(run, err, { maxAttempts: jobs.maxAttempts, retryBaseMs: jobs.retryBaseMs, retryMaxMs: jobs.retryMaxMs, now: clock() });
    }
    const ms = clock() - run.startedAt;
    avgJobMs = avgJobMs === undefined ? ms : avgJobMs * 0.8 + ms * 0.2;
    if (run.state !== 'running') {
      // Lost or handed back: someone else owns the job now; only its slot is freed here.
      handlers--;
      forget(run);
      return wake();
    }
    run.state = 'finishing';
    const reply = pump.finish(item);
    handlers--; // the queued outcome holds the slot until it is sent
    const r = await reply;
    forget(run);
    wake();
    if (r === 'dropped') return;
    if (r !== 'applied') {
      count('rejected');
      return settled(run.jobId, run.entryId, 'rejected', run, undefined, code);
    }
    const result = item.op === 'complete' ? 'completed' : item.op === 'retry' ? 'retried' : item.arg === '1' ? 'dead' : 'failed';
    count(result === 'completed' ? 'completed' : result === 'retried' ? 'retried' : result === 'dead' ? 'deadLettered' : 'failed');
    settled(run.jobId, run.entryId, result, run, item.op === 'complete' ? ((item.to || undefined) as SettledJob['to']) : 'failed', code);
  }

  /** Hands back entries taken off the stream but not claimed (read-ahead), so others can run them. */
  function requeue(list: Waiting<M>[]): Promise<unknown> {
    for (const w of list) entryIds.delete(w.item.entryId);
    if (list.length === 0) return Promise.resolve();
    return requeueScript(redis, sk, list.map((w) => ({ entryId: w.item.entryId, jobId: w.item.jobId, data: w.data })))
      .catch((err: Error) => log.warn({ err: err.message }, 'requeue failed; the entries wait for the reclaimer'));
  }

  // Read-ahead entries stuck behind jobs that turned out long go back to the stream well before
  // the reclaimer would see them idle (and before our own reclaimer re-claims them to us).
  const staleAhead = setInterval(() => {
    const limit = clock() - jobs.leaseMs / 3;
    const w = pump.waiting;
    if (w.length === 0 || w[0]!.readAt > limit) return;
    const keep = w.filter((x) => x.readAt > limit);
    const old = w.filter((x) => x.readAt <= limit);
    w.length = 0;
    w.push(...keep);
    void requeue(old);
  }, Math.max(20, Math.floor(jobs.leaseMs / 3)));

  const stopHeartbeat = startHeartbeat({ redis, stream: sk, consumerName: opts.consumerName, leaseMs: jobs.leaseMs, clock, log, runs: () => runs, lose, entryIds });

  const stopMaintenance = startMaintenance({
    redis, keys, stream: sk, consumerName: opts.consumerName, jobs, clock, log,
    options: maintenanceDefaults(jobs, opts.maintenance),
    freeSlots: () => (closing ? 0 : freeSlots() - pump.waiting.length),
    accept,
    count,
  });

  const reading = readLoop({
    redis, blocking, stream: sk, consumerName: opts.consumerName, blockMs: jobs.blockMs, log,
    stopped: () => closing,
    wanted,
    waitWanted: () => new Promise<void>((r) => wakers.push(r)),
    accept,
    ensureGroup: () => ensureGroup(redis, keys, opts.kind),
  });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing$: Promise<void> | undefined;

  async function close(): Promise<void> {
    closing = true;
    stopMaintenance();
    wake();
    await reading.stop();
    // Read but never claimed: hand back at once so other workers get them without waiting.
    pump.stopClaiming();
    clearInterval(staleAhead);
    const unclaimed = pump.waiting.splice(0);
    const requeued = requeue(unclaimed);
    // Let in-flight jobs finish within the grace period; hand the rest back so they restart at once.
    const deadline = clock() + jobs.shutdownGraceMs;
    while ((handlers > 0 || pump.claiming() > 0) && clock() < deadline) {
      await new Promise<void>((r) => {
        wakers.push(r);
        setTimeout(r, Math.max(1, Math.min(100, deadline - clock())));
      });
    }
    const handBack = [...runs].filter((r) => r.state === 'running');
    const releases = handBack.map(async (run) => {
      run.state = 'released';
      run.abort(new LeaseLostError(run.jobId, 'shutdown'));
      const reply = await pump.finish(releaseItem(run, 'shutdown'));
      forget(run);
      if (reply === 'applied') {
        count('released');
        settled(run.jobId, run.entryId, 'released', run);
      }
    });
    if (!(await pump.drain(5_000))) log.warn({}, 'shutdown: outcomes not flushed in time; their leases will lapse');
    await Promise.race([Promise.all([...releases, requeued]), new Promise((r) => setTimeout(r, 200))]);
    pump.stop();
    stopHeartbeat();
    await blocking.quit().catch(() => blocking.disconnect());
    log.info({ released: handBack.length, requeued: unclaimed.length }, 'consumer closed');
    resolveClosed();
  }

  opts.signal?.addEventListener('abort', () => void (closing$ ??= close()), { once: true });

  return {
    close: () => (closing$ ??= close()),
    closed,
    stats: () => ({ ...stats, inFlight: handlers }),
  };
}
