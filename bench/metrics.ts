/**
 * `npm run bench:metrics`: how long `GET /metrics` takes on the API with 10k jobs in Redis.
 *
 * The API is built as main.ts builds it (metrics plugin, stream sampler, process metrics, metered
 * store and job store) against real Redis under a private key prefix, listening on a real port.
 * Phase "empty" measures before any job exists, phase "10k jobs" after creating `--jobs` jobs
 * (all enqueued on the compare stream, `--pending` of them delivered and left unacked) and after
 * the sampler has read that backlog. Each phase: `--requests` sequential scrapes, repeated
 * `--reps` times; the figures are medians over reps. `GET /healthz` measured in the same rounds
 * is the anchor (metrics / healthz ratio). One sampler pass over the backlog is timed too.
 *
 * Flags: --jobs N (default 10000), --pending N (default 1000), --requests N (default 200),
 * --reps N (default 3). REDIS_URL picks the server (default 127.0.0.1:6379).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config/env.js';
import { createJobStore } from '../src/jobs/store.js';
import { createLogger } from '../src/lib/logger.js';
import { newJob as testJob } from '../test/helpers/jobs.js';
import { deletePrefix } from '../test/helpers/redis.js';
import { meterJobStore } from '../src/observability/metered-jobs.js';
import { meterObjectStore } from '../src/observability/metered-store.js';
import { collectProcessMetrics } from '../src/observability/metrics.js';
import { recordSample, sampleStreams, startStreamSampler } from '../src/observability/stream-sampler.js';
import { createRedis } from '../src/redis/client.js';
import { createKeys } from '../src/redis/keys.js';
import { createObjectStore } from '../src/storage/index.js';
import { ensureGroups } from '../src/streams/index.js';

const { values: flags } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    pending: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '200' },
    reps: { type: 'string', default: '3' },
  },
});
const JOBS = Number(flags.jobs);
const PENDING = Math.min(JOBS, Number(flags.pending));
const REQUESTS = Number(flags.requests);
const REPS = Number(flags.reps);
const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const prefix = `bench:metrics:${randomUUID().slice(0, 8)}:`;
const dataDir = await mkdtemp(join(tmpdir(), 'sheetdiff-bench-metrics-'));
const config = loadConfig({ REDIS_URL: URL, REDIS_PREFIX: prefix, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SERVE_WEB_APP: 'false' });
const redis = createRedis({ url: URL, name: 'bench-metrics' });
const keys = createKeys(prefix);
const jobs = meterJobStore(createJobStore({ redis, keys }));
const app = await buildApp({ config, redis, keys, store: meterObjectStore(await createObjectStore(config)), jobs, log: createLogger({ level: 'silent', component: 'bench' }) });
collectProcessMetrics();
await ensureGroups(redis, keys);
const stopSampler = startStreamSampler({ redis, keys });
const base = await app.listen({ port: 0, host: '127.0.0.1' });

async function round(path: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`);
    await res.text();
    out.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  }
  return out;
}

interface Phase { name: string; metrics: { p50: number[]; p95: number[]; max: number[] }; healthz: number[]; bytes: number }
async function phase(name: string): Promise<Phase> {
  const p: Phase = { name, metrics: { p50: [], p95: [], max: [] }, healthz: [], bytes: 0 };
  for (let r = 0; r < REPS; r++) {
    const m = await round('/metrics');
    const h = await round('/healthz');
    p.metrics.p50.push(pct(m, 0.5));
    p.metrics.p95.push(pct(m, 0.95));
    p.metrics.max.push(Math.max(...m));
    p.healthz.push(pct(h, 0.5));
    console.error(`  ${name} rep ${r + 1}: /metrics p50 ${pct(m, 0.5).toFixed(2)} ms p95 ${pct(m, 0.95).toFixed(2)} ms max ${Math.max(...m).toFixed(2)} ms; /healthz p50 ${pct(h, 0.5).toFixed(2)} ms`);
  }
  p.bytes = (await (await fetch(`${base}/metrics`)).text()).length;
  return p;
}

const newJob = (id: string) => testJob(id, { ownerId: 'bench', key: [] });

try {
  console.error(`bench:metrics — ${JOBS} jobs (${PENDING} pending), ${REQUESTS} scrapes × ${REPS} reps, ${URL}`);
  // Some API traffic first, so the HTTP histograms have series as in production.
  for (const path of ['/healthz', '/readyz', '/api/v1/compare/jobs/nope', '/nope']) await fetch(`${base}${path}`);
  const empty = await phase('empty');
  for (let i = 0; i < JOBS; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, JOBS - i) }, (_, j) => jobs.create(newJob(`b${i + j}`))));
  }
  // Deliver some entries to a consumer and leave them unacked: a pending list with an old head.
  await redis.xreadgroup('GROUP', keys.group('compare'), 'bench-consumer', 'COUNT', PENDING, 'STREAMS', keys.stream('compare'), '>');
  const s0 = performance.now();
  const sample = await sampleStreams(redis, keys);
  const sampleMs = performance.now() - s0;
  recordSample(sample);
  const compare = sample.streams.find((s) => s.stream === 'compare')!;
  console.error(`  sampled compare stream: length ${compare.length}, pending ${compare.pending}, lag ${compare.lag} in ${sampleMs.toFixed(2)} ms`);
  const full = await phase(`${JOBS / 1000}k jobs`);

  const f = (x: number) => x.toFixed(2);
  const lines = ['', `### GET /metrics latency (${REQUESTS} sequential scrapes, median of ${REPS} reps)`, '',
    '| Redis holds | p50 (ms) | p95 (ms) | max (ms) | /healthz p50 (ms) | metrics / healthz (p50) | body (bytes) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const p of [empty, full]) {
    lines.push(`| ${p.name} | ${f(median(p.metrics.p50))} | ${f(median(p.metrics.p95))} | ${f(median(p.metrics.max))} | ${f(median(p.healthz))} | ${(median(p.metrics.p50) / median(p.healthz)).toFixed(2)}× | ${p.bytes} |`);
  }
  lines.push(`| ${full.name} / empty | ${(median(full.metrics.p50) / median(empty.metrics.p50)).toFixed(2)}× | ${(median(full.metrics.p95) / median(empty.metrics.p95)).toFixed(2)}× | | | | |`);
  lines.push('', `One stream sample (every stream, one pipelined round trip) with ${JOBS} jobs: ${f(sampleMs)} ms, every 5 s, off the scrape path.`);
  lines.push(`Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} (shared machine: read the ratios).`);
  console.log(lines.join('\n'));
} finally {
  stopSampler();
  await app.close();
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await rm(dataDir, { recursive: true, force: true });
}
