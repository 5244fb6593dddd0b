/**
 * `npm run bench:queue`: our stream runtime vs BullMQ on the same Redis.
 *
 * Throughput: N no-op jobs are enqueued first (not timed), then one consumer runs them at 1, 16
 * and 100 in flight; jobs/s = N / time from consumer start to the last job done. Ours runs with
 * the full semantics (claim with lease and fencing token, `running` transition and event, fenced
 * completion with transition, event and XACK). Each run also reports the CPU each job cost: this
 * process's (user+sys) and the Redis server's main thread (INFO cpu), which a busy machine
 * disturbs far less than jobs/s. Latency: a separate low-load pass enqueues one job at a time
 * and measures the time until its handler starts. Runs are interleaved (alternating which goes
 * first) and each figure is the median of `--reps` runs.
 *
 * Redis: REDIS_URL when set; otherwise a private `redis-server` on a free port (no persistence),
 * started and stopped here, so other clients of a shared Redis neither disturb nor are disturbed.
 *
 * Flags: --jobs N (default 50000), --reps N (default 3), --inflight 1,16,100,
 * --latency-samples N (default 300, 0 = skip), --warmup N (jobs of one unrecorded run per engine
 * at the highest in-flight setting before the first repetition; default 10000, 0 = none),
 * --commandstats (per-command calls and µs per job
 * at the last in-flight setting, from INFO commandstats), --record (our claim also returns the job
 * record and the handler decodes it; by default the no-op handler, needing only its message, runs
 * on a route with `record: false`), --redis-instructions (Redis runs under valgrind's callgrind and
 * each run reports the instructions Redis executed per job, a figure the machine's load does not
 * move; jobs/s are meaningless then: use e.g. --jobs 3000 --latency-samples 0).
 *
 * `--observability`: instead of BullMQ, compares ours bare (no hooks at all) with ours wired as
 * the worker processes run it (job observer around the handler, settled/count hooks into
 * Prometheus metrics) with tracing off; reports the overhead as the median of the paired
 * (adjacent-run) ratios of process CPU per job and of jobs/s. Add `--tracing` to run the
 * instrumented side with the OpenTelemetry SDK on (in-memory exporter). It also measures the
 * instrumentation's own CPU per job apart from the queue (./queue/hooks.ts: the per-job hook
 * calls in a tight loop, bare and instrumented alternating), which a busy machine does not blur,
 * and relates it to the bare consumer's process CPU per job: an upper bound on the throughput the
 * instrumentation can cost.
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startPrivateRedis, type PrivateRedis } from '../scripts/lib/redis-server.js';
import { bullmq, ours, type Engine } from './queue/engines.js';
import { hookCost } from './queue/hooks.js';
import { createProbe, type Sample } from './queue/probe.js';
import { startCallgrindRedis, type CallgrindRedis } from './queue/redis-callgrind.js';
import { commandTable, hookTable, instructionTable, latencyTable, overheadTable, throughputTable, type Results } from './queue/report.js';

const { values: flags } = parseArgs({
  options: {
    jobs: { type: 'string', default: '50000' },
    reps: { type: 'string', default: '3' },
    inflight: { type: 'string', default: '1,16,100' },
    'latency-samples': { type: 'string', default: '300' },
    warmup: { type: 'string', default: '10000' },
    commandstats: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    'redis-instructions': { type: 'boolean', default: false },

    observability: { type: 'boolean', default: false },
    tracing: { type: 'boolean', default: false },
  },
});
const N = Number(flags.jobs);
const REPS = Number(flags.reps);
const INFLIGHT = flags.inflight.split(',').map(Number);
// Latency under callgrind would measure valgrind.
const SAMPLES = flags['redis-instructions'] ? 0 : Number(flags['latency-samples']);
// Callgrind counts Redis' instructions, which JIT warm-up does not change: no warm-up there.
const WARMUP = flags['redis-instructions'] ? 0 : Number(flags.warmup);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function redisUrl(): Promise<{ url: string; server?: Pick<PrivateRedis, 'stop'>; callgrind?: CallgrindRedis }> {
  if (flags['redis-instructions']) {
    const callgrind = await startCallgrindRedis();
    return { url: callgrind.url, server: callgrind, callgrind };
  }
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL };
  try {
    const server = await startPrivateRedis(tmpdir(), 'redis-server', { persistence: false });
    return { url: server.url, server };
  } catch (err) {
    console.error(`bench:queue: no private redis-server (${(err as Error).message}); using 127.0.0.1:6379`);
    return { url: 'redis://127.0.0.1:6379' };
  }
}

async function main(): Promise<void> {
  const { url, server, callgrind } = await redisUrl();
  // Interrupted: stop the private server too.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(130)));
  }
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  if (flags.tracing) {
    const { startTracing } = await import('../src/observability/tracing.js');
    const { InMemorySpanExporter } = await import('@opentelemetry/sdk-trace-base');
    const exporter = new InMemorySpanExporter();
    await startTracing({ serviceName: 'bench', exporter, hookImports: false });
    // Keep memory flat: drop finished spans as they pile up.
    setInterval(() => exporter.reset(), 1_000).unref();
  }
  const engines: Engine[] = flags.observability
    ? [ours(redis, url, 'bare', 'bare'), ours(redis, url, 'instrumented', flags.tracing ? 'traced' : 'instrumented')]
    : [ours(redis, url, 'bare', 'ours', { record: flags.record }), bullmq(redis, url)];
  const probe = callgrind ? callgrind.probe(createProbe(redis)) : createProbe(redis);
  const results: Results = { throughput: new Map(), latency: new Map() };
  const loads: number[] = [loadavg()[0]!];
  console.error(`bench:queue: ${N} jobs, in flight ${INFLIGHT.join('/')}, ${REPS} reps, ${SAMPLES} latency samples, ${url}${server ? ' (private)' : ''}`);
  // One unrecorded run per engine first: without it each engine's first repetition also measures
  // V8 compiling its code and the server growing its tables, which the alternating order alone
  // does not cancel out (every engine has one cold run).
  if (WARMUP > 0) {
    for (const e of engines) {
      const s = await e.throughput(WARMUP, Math.max(...INFLIGHT), probe);
      console.error(`  warm-up ${e.name.padEnd(12)} ${Math.round(s.rate).toString().padStart(6)} jobs/s (not counted)`);
    }
  }
  for (let rep = 0; rep < REPS; rep++) {
    // Alternate which engine goes first so warm-up and background noise fall on both.
    const order = rep % 2 === 0 ? engines : [...engines].reverse();
    for (const inflight of INFLIGHT) {
      for (const e of order) {
        const s = await e.throughput(N, inflight, probe);
        const k = `${e.name}@${inflight}`;
        results.throughput.set(k, [...(results.throughput.get(k) ?? []), s]);
        console.error(
          `  rep ${rep + 1} ${k.padEnd(17)} ${Math.round(s.rate).toString().padStart(6)} jobs/s  ` +
            `process ${s.procUs.toFixed(1)} µs/job  redis ${s.redisUs.toFixed(1)} µs/job  load ${loadavg()[0]!.toFixed(1)}` +
            (s.redisIr ? `  redis ${Math.round(s.redisIr).toLocaleString('en-US')} instructions/job` : ''),
        );
        loads.push(loadavg()[0]!);
      }
    }
    if (SAMPLES <= 0) continue;
    for (const e of order) {
      const l = await e.latency(SAMPLES);
      const m = results.latency.get(e.name) ?? { p50: [], p99: [] };
      m.p50.push(pct(l, 0.5));
      m.p99.push(pct(l, 0.99));
      results.latency.set(e.name, m);
      console.error(`  rep ${rep + 1} ${e.name.padEnd(17)} latency p50 ${pct(l, 0.5).toFixed(3)} ms  p99 ${pct(l, 0.99).toFixed(3)} ms`);
    }
  }
  const names = engines.map((e) => e.name) as [string, string];
  const lines: string[] = [];
  if (callgrind) {
    lines.push(...instructionTable(results, names, INFLIGHT, N, REPS));
  } else if (REPS > 0) {
    lines.push(...throughputTable(results, names, INFLIGHT, N, REPS));
    if (flags.observability) lines.push(...overheadTable(results, names, INFLIGHT, REPS));
    if (SAMPLES > 0) lines.push(...latencyTable(results, names, SAMPLES, REPS));
  }
  if (flags.observability && !flags.tracing) {
    const hooks = await hookCost();
    lines.push(...hookTable(hooks, results, names[0], INFLIGHT));
  }
  if (flags.commandstats && REPS > 0) {
    const last = INFLIGHT[INFLIGHT.length - 1]!;
    lines.push(...commandTable(names.map((n) => [n, results.throughput.get(`${n}@${last}`)!.at(-1)!] as [string, Sample]), last));
  }
  const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  const sorted = [...loads].sort((a, b) => a - b);
  lines.push(
    '',
    `Redis ${version}${server ? ' (private server)' : ` at ${url}`}, Node ${process.version}, ${cpus().length} CPUs; ` +
      `load average (1 min) ${sorted[0]!.toFixed(1)}–${sorted.at(-1)!.toFixed(1)}, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ` +
      '(other processes share these CPUs: jobs/s moves with them, CPU per job much less).',
  );
  console.log(lines.join('\n'));
  redis.disconnect();
  await server?.stop();
}

await main();
