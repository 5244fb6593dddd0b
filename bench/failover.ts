/**
 * `npm run bench:failover`: how long a job whose worker is SIGKILLed mid-run takes to finish on
 * another worker with the DEFAULT lease and reclaim settings (JOB_LEASE_MS, RECLAIM_INTERVAL_MS
 * from the config schema), and that it finishes exactly once. Prints one line per run and the
 * median; the bound to meet is lease + reclaim interval (+ the job's own work time).
 *
 * Flags: --reps N (default 3), --work-ms N (the job's duration, default 3000).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config/env.js';
import { TERMINAL_STATUSES, type JobStatus } from '../src/contracts/index.js';
import { createJobStore } from '../src/jobs/store.js';
import { newJob } from '../test/helpers/jobs.js';
import { spawnWorker, type SpawnedProcess } from '../test/helpers/process.js';
import { useTestRedis } from '../test/helpers/redis.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const reps = arg('reps', 3);
const workMs = arg('work-ms', 3000);
const defaults = loadConfig({}).jobs;

async function once(rep: number): Promise<{ seconds: number; sideEffects: number; status: string }> {
  const t = await useTestRedis();
  const store = createJobStore({ redis: t.redis, keys: t.keys });
  const sideLog = join(tmpdir(), `sd-failover-${randomUUID()}.log`);
  const env = { NODE_ENV: 'test', REDIS_URL: t.url, REDIS_PREFIX: t.prefix, WORKER_CONCURRENCY: '1', WORK_MS: String(workMs), SIDE_LOG: sideLog };
  const workers: SpawnedProcess[] = ['a', 'b'].map((n) => spawnWorker({ entry: 'test/helpers/test-worker.ts', name: `${n}${rep}`, env: { ...env, WORKER_NAME: `${n}${rep}` } }));
  try {
    await Promise.all(workers.map((w) => w.waitForEvent((e) => e.ev === 'ready', 30_000)));
    const jobId = `killed-${rep}`; // test-worker ids starting with fail/poison/flaky/slow behave specially
    await store.create(newJob(jobId));
    const holder = await Promise.race(workers.map((w) => w.waitForEvent((e) => e.ev === 'start' && e.jobId === jobId, 30_000).then(() => w)));
    holder.kill('SIGKILL');
    const killedAt = Date.now();
    let status: JobStatus | undefined;
    while (!status || !TERMINAL_STATUSES.includes(status)) {
      if (Date.now() - killedAt > 120_000) throw new Error('job did not finish within 120 s');
      await new Promise((r) => setTimeout(r, 50));
      status = (await store.get(jobId))?.status;
    }
    const seconds = (Date.now() - killedAt) / 1000;
    await new Promise((r) => setTimeout(r, 500)); // the survivor logs its side effect after the commit reply
    const sideEffects = existsSync(sideLog) ? readFileSync(sideLog, 'utf8').split('\n').filter((l) => l.startsWith(`${jobId} `)).length : 0;
    return { seconds, sideEffects, status };
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await t.cleanup();
    rmSync(sideLog, { force: true });
  }
}

const results = [];
for (let rep = 1; rep <= reps; rep++) {
  const r = await once(rep);
  results.push(r);
  console.log(`run ${rep}: finished ${r.status} on the other worker ${r.seconds.toFixed(1)} s after SIGKILL; side effects ${r.sideEffects}`);
}
const sorted = results.map((r) => r.seconds).sort((a, b) => a - b);
const bound = (defaults.leaseMs + defaults.reclaimIntervalMs + workMs) / 1000;
console.log(`median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} s, max ${sorted.at(-1)!.toFixed(1)} s; bound lease ${defaults.leaseMs / 1000} s + reclaim ${defaults.reclaimIntervalMs / 1000} s + work ${workMs / 1000} s = ${bound} s; all exactly once: ${results.every((r) => r.sideEffects === 1 && r.status === 'ready')}`);
process.exit(0);
