/**
 * `npm run bench:queue`: our stream runtime vs BullMQ on the same Redis.
 *
 * Throughput: N no-op jobs are enqueued first (not timed), then one consumer process-side runs
 * them at 1, 16 and 100 in flight; jobs/s = N / time from consumer start to the last job done.
 * Ours runs with the full semantics (claim with lease and fencing token, `running` transition
 * and event, fenced completion with transition, event and XACK). Latency: a separate low-load
 * pass enqueues one job at a time and measures the time until its handler starts. Runs are
 * interleaved (alternating which goes first) and each figure is the median of `--reps` runs.
 *
 * Flags: --jobs N (default 50000), --reps N (default 3), --inflight 1,16,100,
 * --latency-samples N (default 300). REDIS_URL picks the server (default 127.0.0.1:6379).
 *
 * `--observability`: instead of BullMQ, compares ours bare (no hooks at all) with ours wired as
 * the worker processes run it — job observer around the handler (span restore, a no-op while
 * tracing is off), settled/count hooks into Prometheus metrics — with tracing off. Add
 * `--tracing` to run the instrumented side with the OpenTelemetry SDK on (in-memory exporter).
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/env.js';
import { CompareRequestedSchema } from '../src/contracts/index.js';
import { createJobStore } from '../src/jobs/store.js';
import { createKeys } from '../src/redis/keys.js';
import { ensureGroups, runConsumer } from '../src/streams/index.js';
import { newJob as testJob } from '../test/helpers/jobs.js';
import { deletePrefix } from '../test/helpers/redis.js';
import { jobObserver } from '../workers/shared/job-observer.js';

const { values: flags } = parseArgs({
  options: {
    jobs: { type: 'string', default: '50000' },
    reps: { type: 'string', default: '3' },
    inflight: { type: 'string', default: '1,16,100' },
    'latency-samples': { type: 'string', default: '300' },
    observability: { type: 'boolean', default: false },
    tracing: { type: 'boolean', default: false },
  },
});
const N = Number(flags.jobs);
const REPS = Number(flags.reps);
const INFLIGHT = flags.inflight.split(',').map(Number);
const SAMPLES = Number(flags['latency-samples']);
const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHUNK = 500;

const jobs = loadConfig({ JOB_LEASE_MS: '15000', STREAM_BLOCK_MS: '1000' }).jobs;
const quiet = { info: () => undefined, warn: (o: object, m?: string) => console.warn(m, o), error: (o: object, m?: string) => console.error(m, o), debug: () => undefined };
const newJob = (id: string) => testJob(id, { ownerId: 'bench', key: [] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

interface Engine {
  name: string;
  /** Enqueues n jobs, then processes them at `inflight`; returns jobs/s of the processing phase. */
  throughput(n: number, inflight: number): Promise<number>;
  /** Enqueue-to-start latencies (ms) of `samples` jobs sent one at a time. */
  latency(samples: number): Promise<number[]>;
}

/** `bare`: the runtime alone; `instrumented`: with the worker's observer and metric hooks. */
function ours(redis: Redis, variant: 'bare' | 'instrumented' = 'bare', name = 'ours'): Engine {
  const setup = async () => {
    const prefix = `bench:sd:${randomUUID().slice(0, 8)}:`;
    const keys = createKeys(prefix);
    await ensureGroups(redis, keys);
    return { prefix, keys, store: createJobStore({ redis, keys }) };
  };
  const consumer = (keys: ReturnType<typeof createKeys>, inflight: number, onStart: (id: string) => void, onDone: () => void) => {
    const handler = async (_msg: unknown, ctx: { jobId: string }) => {
      onStart(ctx.jobId);
      return { to: 'compared' as const, event: { type: 'compared' } };
    };
    const base = {
      redis, url: URL, keys, kind: 'compare' as const, schema: CompareRequestedSchema, concurrency: inflight, jobs,
      consumerName: `bench-${randomUUID().slice(0, 6)}`, log: quiet,
      route: () => ({ expect: ['queued'] as const, running: 'comparing' as const }),
    };
    if (variant === 'bare') {
      return runConsumer({ ...base, handle: handler, onSettled: (s) => s.result === 'completed' && onDone() });
    }
    const observe = jobObserver('compare', () => c.stats().inFlight);
    const c = runConsumer({
      ...base,
      handle: (msg, ctx) => observe.handle(msg, ctx, () => handler(msg, ctx)),
      onSettled: (s) => {
        observe.settled(s);
        if (s.result === 'completed') onDone();
      },
      onCount: observe.count,
    });
    return c;
  };
  return {
    name,
    async throughput(n, inflight) {
      const { prefix, keys, store } = await setup();
      for (let i = 0; i < n; i += CHUNK) {
        await Promise.all(Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => store.create(newJob(`j${i + j}`))));
      }
      let done = 0;
      let finished!: () => void;
      const all = new Promise<void>((r) => (finished = r));
      const t0 = performance.now();
      const c = consumer(keys, inflight, () => undefined, () => ++done === n && finished());
      await all;
      const rate = n / ((performance.now() - t0) / 1000);
      await c.close();
      await deletePrefix(redis, prefix);
      return rate;
    },
    async latency(samples) {
      const { prefix, keys, store } = await setup();
      const started = new Map<string, () => void>();
      const c = consumer(keys, 16, (id) => started.get(id)?.(), () => undefined);
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

function bullmq(redis: Redis): Engine {
  const { hostname, port } = new globalThis.URL(URL);
  const connection = { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null };
  const setup = () => {
    const prefix = `bench:bq:${randomUUID().slice(0, 8)}`;
    return { prefix, queue: new Queue('bench', { connection, prefix }) };
  };
  return {
    name: 'bullmq',
    async throughput(n, inflight) {
      const { prefix, queue } = setup();
      for (let i = 0; i < n; i += CHUNK) {
        await queue.addBulk(Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => ({ name: 'noop', data: { i: i + j } })));
      }
      let done = 0;
      let finished!: () => void;
      const all = new Promise<void>((r) => (finished = r));
      const worker = new Worker('bench', async () => undefined, { connection, prefix, concurrency: inflight, autorun: false });
      worker.on('completed', () => ++done === n && finished());
      const t0 = performance.now();
      void worker.run();
      await all;
      const rate = n / ((performance.now() - t0) / 1000);
      await worker.close();
      await queue.close();
      await deletePrefix(redis, prefix);
      return rate;
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

async function main(): Promise<void> {
  const redis = new Redis(URL, { maxRetriesPerRequest: null });
  if (flags.tracing) {
    const { startTracing } = await import('../src/observability/tracing.js');
    const { InMemorySpanExporter } = await import('@opentelemetry/sdk-trace-base');
    const exporter = new InMemorySpanExporter();
    await startTracing({ serviceName: 'bench', exporter, hookImports: false });
    // Keep memory flat: drop finished spans as they pile up.
    setInterval(() => exporter.reset(), 1_000).unref();
  }
  const engines = flags.observability
    ? [ours(redis, 'bare', 'bare'), ours(redis, 'instrumented', flags.tracing ? 'traced' : 'instrumented')]
    : [ours(redis), bullmq(redis)];
  const [A, B] = [engines[0]!.name, engines[1]!.name];
  const label = (n: string) => (n === 'bullmq' ? 'BullMQ' : n);
  const rates = new Map<string, number[]>();
  const lat = new Map<string, { p50: number[]; p99: number[] }>();
  const load0 = loadavg()[0]!;
  console.error(`bench:queue — ${N} jobs, in flight ${INFLIGHT.join('/')}, ${REPS} reps, ${SAMPLES} latency samples, ${URL}`);
  for (let rep = 0; rep < REPS; rep++) {
    // Alternate which engine goes first so warm-up and background noise fall on both.
    const order = rep % 2 === 0 ? engines : [...engines].reverse();
    for (const inflight of INFLIGHT) {
      for (const e of order) {
        const r = await e.throughput(N, inflight);
        const k = `${e.name}@${inflight}`;
        rates.set(k, [...(rates.get(k) ?? []), r]);
        console.error(`  rep ${rep + 1} ${k.padEnd(12)} ${Math.round(r)} jobs/s`);
      }
    }
    for (const e of order) {
      const l = await e.latency(SAMPLES);
      const m = lat.get(e.name) ?? { p50: [], p99: [] };
      m.p50.push(pct(l, 0.5));
      m.p99.push(pct(l, 0.99));
      lat.set(e.name, m);
      console.error(`  rep ${rep + 1} ${e.name.padEnd(12)} latency p50 ${pct(l, 0.5).toFixed(3)} ms  p99 ${pct(l, 0.99).toFixed(3)} ms`);
    }
  }
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  const lines = ['', `### Queue throughput (${N} no-op jobs, median of ${REPS})`, '', `| in flight | ${label(A)} (jobs/s) | ${label(B)} (jobs/s) | ${label(A)} / ${label(B)} |`, '| ---: | ---: | ---: | ---: |'];
  for (const inflight of INFLIGHT) {
    const o = median(rates.get(`${A}@${inflight}`)!);
    const b = median(rates.get(`${B}@${inflight}`)!);
    lines.push(`| ${inflight} | ${f(o)} | ${f(b)} | ${(o / b).toFixed(2)}× |`);
  }
  lines.push('', `### Enqueue-to-start latency, low load (${SAMPLES} jobs one at a time, median of ${REPS})`, '', '| | p50 (ms) | p99 (ms) |', '| --- | ---: | ---: |');
  for (const e of engines) {
    const m = lat.get(e.name)!;
    lines.push(`| ${label(e.name)} | ${median(m.p50).toFixed(3)} | ${median(m.p99).toFixed(3)} |`);
  }
  const o = lat.get(A)!;
  const b = lat.get(B)!;
  lines.push(`| ${label(A)} / ${label(B)} | ${(median(o.p50) / median(b.p50)).toFixed(2)}× | ${(median(o.p99) / median(b.p99)).toFixed(2)}× |`);
  const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  lines.push(
    '',
    `Redis ${version}, Node ${process.version}, ${cpus().length} CPUs, load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} ` +
      '(other processes share these CPUs: compare the ratios, not the absolute figures).',
  );
  console.log(lines.join('\n'));
  redis.disconnect();
}

await main();
