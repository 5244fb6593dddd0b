// One compare job end to end in the real compare worker: a private redis-server, local storage
// in a temporary directory, both inputs put in the store and the job created (and enqueued) as
// the API does; then `workers/compare/main.js` runs as its own process and handles it (download
// from the store, diff, XLSX + CSV + summary + preview written and uploaded, `compared`).
// Prints `RESULT {"ms":…,"rssMB":…,"cpuS":…,"added":…,…}`: ms from the job's compare_started event
// to its compared event, the worker's peak RSS (VmHWM) and CPU time (user + system, start-up
// included), the counts from the stored summary.
//   node dist/bench-build/bench/diff/worker-e2e.js OLD NEW KEY
// (BENCH_WORKER_NODE_ARGS adds node flags to the worker, e.g. --cpu-prof.)
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/env.js';
import { CompareOptionsSchema, type DiffSummary } from '../../src/contracts/index.js';
import { createJobStore } from '../../src/jobs/store.js';
import type { StoredFile } from '../../src/jobs/types.js';
import { createKeys } from '../../src/redis/keys.js';
import { createObjectStore } from '../../src/storage/index.js';
import { objectKeys } from '../../src/storage/keys.js';
import { freePort } from '../../scripts/lib/free-port.js';

const listening = (p: number): Promise<boolean> =>
  new Promise((ok) => {
    const c = connect(p, '127.0.0.1', () => (c.end(), ok(true)));
    c.on('error', () => ok(false));
  });
const [oldPath, newPath, key = 'id'] = process.argv.slice(2);
if (!oldPath || !newPath) {
  console.error('usage: worker-e2e OLD NEW [KEY]');
  process.exit(2);
}
const here = fileURLToPath(new URL('.', import.meta.url));
const workerMain = resolve(here, '../../workers/compare/main.js');
const dir = mkdtempSync(join(tmpdir(), 'sd-worker-e2e-'));
const port = await freePort();
const procs: ChildProcess[] = [];
const started = (p: ChildProcess): ChildProcess => (procs.push(p), p);
try {
  const redisProc = started(spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' }));
  const env = { REDIS_URL: `redis://127.0.0.1:${port}`, DATA_DIR: join(dir, 'data'), STORAGE_DRIVER: 'local', PAYMENT_PROVIDER: 'dev', LOG_LEVEL: 'warn', METRICS_PORT: '0' };
  const config = loadConfig(env);
  for (let i = 0; !(await listening(port)); i++) {
    if (i > 100 || redisProc.exitCode !== null) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const redis = new Redis(config.redis.url);
  const keys = createKeys(config.redis.prefix);
  const store = await createObjectStore(config);
  const jobs = createJobStore({ redis, keys });
  const jobId = `bench${Date.now()}`;
  const stored = async (side: 'old' | 'new', path: string): Promise<StoredFile> => {
    const format = extname(path).slice(1).toLowerCase() as StoredFile['format'];
    const storageKey = objectKeys.input(jobId, side, format);
    await store.put(storageKey, createReadStream(path), { contentType: 'application/octet-stream' });
    return { name: basename(path), storageKey, size: statSync(path).size, sha256: '0'.repeat(64), format };
  };
  const files = { old: await stored('old', oldPath), new: await stored('new', newPath) };
  await jobs.create({ id: jobId, ownerId: 'acct-bench', files, key: [key], options: CompareOptionsSchema.parse({}), retentionMs: 3_600_000 });

  const worker = started(spawn(process.execPath, [...(process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), workerMain], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] }));
  let hwmKb = 0;
  const sample = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'));
      if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
    } catch {
      // exited
    }
  }, 50);
  let status = '';
  for (;;) {
    status = (await jobs.get(jobId))?.status ?? '';
    if (status !== 'queued' && status !== 'comparing') break;
    if (worker.exitCode !== null) throw new Error(`the worker exited (${worker.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  clearInterval(sample);
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'));
  if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
  // user + system CPU of the worker process so far (start-up included), in clock ticks of 1/100 s
  const stat = readFileSync(`/proc/${worker.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const cpuS = (Number(stat[11]) + Number(stat[12])) / 100;
  const events = await jobs.events(jobId);
  const at = (type: string): number => Date.parse(events.find((e) => e.type === type)?.at ?? 'x');
  const job = await jobs.get(jobId);
  if (status === 'failed') throw new Error(`job failed: ${JSON.stringify(job?.error)}`);
  const s = job!.summary as DiffSummary;
  const result = { ms: at('compared') - at('compare_started'), rssMB: Math.round(hwmKb / 1024), cpuS, added: s.rows.added, removed: s.rows.removed, changedRows: s.rows.changed, changedCells: s.changedCells, status };
  console.log(`RESULT ${JSON.stringify(result)}`);
  redis.disconnect();
} finally {
  // the worker first, gracefully (it writes a --cpu-prof profile on exit), then redis-server
  for (const p of procs.reverse()) {
    if (p.exitCode !== null) continue;
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await new Promise((r) => p.once('exit', r));
    clearTimeout(t);
  }
  await new Promise((r) => setTimeout(r, 200));
  rmSync(dir, { recursive: true, force: true });
}
