/**
 * The contenders of `bench:queue`: our stream runtime (bare, or wired as the worker processes
 * run it) and BullMQ, each able to run N enqueued no-op jobs at a given number in flight and to
 * report the enqueue-to-start latency of jobs sent one at a time.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/env.js';
import { CompareRequestedSchema } from '../../src/contracts/index.js';
import { createJobStore } from '../../src/jobs/store.js';
import { createKeys } from '../../src/redis/keys.js';
import { ensureGroups, runConsumer, type Consumer, type JobContext } from '../../src/streams/index.js';
import { newJob as testJob } from '../../test/helpers/jobs.js';
import { deletePrefix } from '../../test/helpers/redis.js';
import { jobObserver } from '../../workers/shared/job-observer.js';
import type { Probe, Sample } from './probe.js';

export interface Engine {
  name: string;
  /** Enqueues n jobs (not measured), then runs them at `inflight` between `probe.begin` and `probe.end`. */
  throughput(n: number, inflight: number, probe: Probe): Promise<Sample>;
  /** Enqueue-to-start latencies (ms) of `samples` jobs sent one at a time. */
  latency(samples: number): Promise<number[]>;
}

const CHUNK = 500;
const jobs = loadConfig({ JOB_LEASE_MS: '15000', STREAM_BLOCK_MS: '1000' }).jobs;
const quiet = { info: () => undefined, warn: (o: object, m?: string) => console.warn(m, o), error: (o: object, m?: string) => console.error(m, o), debug: () => undefined };
const newJob = (id: string) => testJob(id, { ownerId: 'bench', key: [] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Our runtime with the worker's observer and metric hooks (`instrumented`) or without any (`bare`). */
export type Variant = 'bare' | 'instrumented';

/** Enqueues `n` no-op jobs under a fresh prefix (not measured); returns the prefix. */
export async function fillOurs(redis: Redis, n: number): Promise<string> {
  const prefix = `bench:sd:${randomUUID().slice(0, 8)}:`;
  const keys = createKeys(prefix);
  await ensureGroups(redis, keys);
  const store = createJobStore({ redis, keys });
  for (let i = 0; i < n; i += CHUNK) {
    await Promise.all(Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => store.create(newJob(`j${i + j}`))));
  }
  return prefix;
}

/**
 * A consumer of the `compare` stream under `prefix` with a no-op handler.
 *
 * The handler needs only its message, so its route does not load the job record
 * (`record: false`); with `record` the claim returns the record and the handler decodes it, as a
 * handler that reads `ctx.job` would.
 */
export function oursConsumer(
  o: { redis: Redis; url: string; prefix: string; variant: Variant; inflight: number; record?: boolean },
  onStart: (id: string) => void,
  onDone: () => void,
): Consumer {
  const record = o.record ?? false;
  const handler = async (_msg: unknown, ctx: JobContext) => {
    onStart(ctx.jobId);
    if (record && ctx.job.status !== 'comparing') throw new Error(`unexpected record: ${ctx.job.status}`);
    return { to: 'compared' as const, event: { type: 'compared' } };
  };
  const base = {
    redis: o.redis, url: o.url, keys: createKeys(o.prefix), kind: 'compare' as const, schema: CompareRequestedSchema,
    concurrency: o.inflight, jobs, consumerName: `bench-${randomUUID().slice(0, 6)}`, log: quiet,
    route: () => ({ expect: ['queued'] as const, running: 'comparing' as const, record }),
  };
  if (o.variant === 'bare') {
    return runConsumer({ ...base, handle: handler, onSettled: (s) => s.result === 'completed' && onDone() });
  }
  const observe = jobObserver('compare', () => c.stats().inFlight);
  const c = runConsumer({
    ...base,
    handle: observe.wrap(handler),
    onSettled: (s) => {
      observe.settled(s);
      if (s.result === 'completed') onDone();
    },
    onCount: observe.count,
  });
  return c;
}

/** Runs the `n` jobs under `prefix` at `inflight` between `probe.begin` and `probe.end`. */
export async function drainOurs(
  o: { redis: Redis; url: string; prefix: string; variant: Variant; inflight: number; record?: boolean },
  n: number,
  probe: Probe,
): Promise<Sample> {
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((r) => (finished = r));
  await probe.begin();
  const c = oursConsumer(o, () => undefined, () => ++done === n && finished());
  await all;
  const sample = await probe.end(n);
  await c.close();
  return sample;
}

/** Our runtime as a contender (see `oursConsumer` for `variant` and `record`). */
export function ours(redis: Redis, url: string, variant: Variant = 'bare', name = 'ours', o: { record?: boolean } = {}): Engine {
  const setup = async () => {
    const prefix = `bench:sd:${randomUUID().slice(0, 8)}:`;
    const keys = createKeys(prefix);
    await ensureGroups(redis, keys);
    return { prefix, keys, store: createJobStore({ redis, keys }) };
  };
  return {
    name,
    async throughput(n, inflight, probe) {
      const prefix = await fillOurs(redis, n);
      const sample = await drainOurs({ redis, url, prefix, variant, inflight, ...o }, n, probe);
      await deletePrefix(redis, prefix);
      return sample;
    },
    async latency(samples) {
      const { prefix, store } = await setup();
      const started = new Map<string, () => void>();
      const c = oursConsumer({ redis, url, prefix, variant, inflight: 16, ...o }, (id) => started.get(id)?.(), () => undefined);
      await sleep(200);
      const out: number[] = [];
      for (let i = 0; i < samples; i++) {
        const id = `l${i}`;
        const seen = new Promise<void>((r) => started.set(id, r));
        const t0 = performance.now();
        await store.create(newJob(id));
        await seen;
        out.push(performance.now() - t0);
        await sleep(1);
      }
      await c.close();
      await deletePrefix(redis, prefix);
      return out.slice(Math.min(10, samples - 1));
    },
  };
}

export function bullmq(redis: Redis, url: string): Engine {
  const { hostname, port } = new globalThis.URL(url);
  const connection = { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null };
  const setup = () => {
    const prefix = `bench:bq:${randomUUID().slice(0, 8)}`;
    return { prefix, queue: new Queue('bench', { connection, prefix }) };
  };
  return {
    name: 'bullmq',
    async throughput(n, inflight, probe) {
      const { prefix, queue } = setup();
      for (let i = 0; i < n; i += CHUNK) {
        await queue.addBulk(Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => ({ name: 'noop', data: { i: i + j } })));
      }
      let done = 0;
      let finished!: () => void;
      const all = new Promise<void>((r) => (finished = r));
      const worker = new Worker('bench', async () => undefined, { connection, prefix, concurrency: inflight, autorun: false });
      worker.on('completed', () => ++done === n && finished());
      await worker.waitUntilReady();
      await probe.begin();
      void worker.run();
      await all;
      const sample = await probe.end(n);
      await worker.close();
      await queue.close();
      await deletePrefix(redis, prefix);
      return sample;
    },
    async latency(samples) {
      const { prefix, queue } = setup();
      const started = new Map<string, () => void>();
      const worker = new Worker('bench', async (job) => void started.get(String(job.data.id))?.(), { connection, prefix, concurrency: 16 });
      await worker.waitUntilReady();
      await sleep(200);
      const out: number[] = [];
      for (let i = 0; i < samples; i++) {
        const id = `l${i}`;
        const seen = new Promise<void>((r) => started.set(id, r));
        const t0 = performance.now();
        await queue.add('noop', { id });
        await seen;
        out.push(performance.now() - t0);
        await sleep(1);
      }
      await worker.close();
      await queue.close();
      await deletePrefix(redis, prefix);
      return out.slice(Math.min(10, samples - 1));
    },
  };
}
