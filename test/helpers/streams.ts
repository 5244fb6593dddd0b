/**
 * Scenario kit for the runtime's reliability tests: a test prefix, a job store, worker processes
 * (test/helpers/test-worker.ts) and the exactly-once assertions.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { TERMINAL_STATUSES, type JobStatus } from '../../src/contracts/index.js';
import { createJobStore } from '../../src/jobs/store.js';
import type { JobStore } from '../../src/jobs/types.js';
import { newJob } from './jobs.js';
import { spawnWorker, type SpawnedProcess } from './process.js';
import { useTestRedis, type TestRedis } from './redis.js';

export const TEST_WORKER = 'test/helpers/test-worker.ts';

export interface Scenario {
  t: TestRedis;
  store: JobStore;
  sideLog: string;
  /** Starts a test worker (tracked, killed at cleanup) and waits until it reads. */
  worker(env?: Record<string, string>, opts?: { wait?: boolean; url?: string }): Promise<SpawnedProcess>;
  createJobs(ids: readonly string[]): Promise<void>;
  /** Waits until every job is in a terminal status. */
  waitTerminal(ids: readonly string[], timeoutMs?: number): Promise<void>;
  /** Every job ended in exactly one terminal state and its side effect happened exactly once. */
  assertExactlyOnce(ids: readonly string[], expected?: JobStatus | ((id: string) => JobStatus)): Promise<void>;
  /** Waits until no entry of the compare stream is pending. */
  waitNoPending(timeoutMs?: number): Promise<void>;
  cleanup(): Promise<void>;
}

export const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function useScenario(baseEnv: Record<string, string> = {}): Promise<Scenario> {
  const t = await useTestRedis();
  const store = createJobStore({ redis: t.redis, keys: t.keys });
  const sideLog = join(tmpdir(), `sd-side-${randomUUID()}.log`);
  const workers: SpawnedProcess[] = [];
  let n = 0;
  const env = (url: string) => ({
    NODE_ENV: 'test',
    REDIS_URL: url,
    REDIS_PREFIX: t.prefix,
    JOB_LEASE_MS: '1000',
    JOB_MAX_ATTEMPTS: '3',
    RECLAIM_INTERVAL_MS: '200',
    RETRY_BASE_MS: '50',
    RETRY_MAX_MS: '200',
    STREAM_BLOCK_MS: '1000',
    SHUTDOWN_GRACE_MS: '1000',
    WORKER_CONCURRENCY: '4',
    WORK_MS: '100',
    SIDE_LOG: sideLog,
    ...baseEnv,
  });

  const statusOf = async (id: string) => (await t.redis.hget(t.keys.job(id), 'status')) as JobStatus | null;

  const s: Scenario = {
    t,
    store,
    sideLog,
    async worker(extra = {}, o = {}) {
      const name = extra.WORKER_NAME ?? `w${++n}-${randomUUID().slice(0, 6)}`;
      const w = spawnWorker({ entry: TEST_WORKER, name, env: { ...env(o.url ?? t.url), WORKER_NAME: name, ...extra } });
      workers.push(w);
      if (o.wait !== false) await w.waitForEvent((e) => e.ev === 'ready', 20_000);
      return w;
    },
    async createJobs(list) {
      for (const id of list) await store.create(newJob(id));
    },
    async waitTerminal(list, timeoutMs = 30_000) {
      await waitFor(async () => {
        for (const id of list) if (!TERMINAL_STATUSES.includes((await statusOf(id)) ?? 'queued')) return false;
        return true;
      }, `${list.length} jobs to finish`, timeoutMs, 100);
    },
    async assertExactlyOnce(list, expected = 'ready') {
      const want = (id: string) => (typeof expected === 'function' ? expected(id) : expected);
      const readSide = () => (existsSync(sideLog) ? readFileSync(sideLog, 'utf8').split('\n').filter(Boolean) : []);
      // The worker writes its log line once the commit's reply is back, a moment after Redis shows
      // the job finished: give it that moment before counting.
      await waitFor(() => {
        const ids = new Set(readSide().map((l) => l.split(' ')[0]));
        return list.every((id) => want(id) !== 'ready' || ids.has(id));
      }, 'side-effect log lines', 10_000).catch(() => undefined);
      const side = readSide();
      const exportEntries = await t.redis.xrange(t.keys.stream('export'), '-', '+');
      const effectsByJob = new Map<string, number>();
      for (const [, f] of exportEntries) {
        const jobId = (JSON.parse(f[1]!) as { jobId: string }).jobId;
        effectsByJob.set(jobId, (effectsByJob.get(jobId) ?? 0) + 1);
      }
      for (const id of list) {
        const events = await store.events(id);
        const terminal = events.filter((e) => e.status && TERMINAL_STATUSES.includes(e.status));
        expect({ id, status: await statusOf(id), terminalEvents: terminal.length }).toEqual({ id, status: want(id), terminalEvents: 1 });
        const once = want(id) === 'ready' ? 1 : 0;
        expect({ id, doneEvents: events.filter((e) => e.type === 'done').length }).toEqual({ id, doneEvents: once });
        expect({ id, sideEffects: effectsByJob.get(id) ?? 0 }).toEqual({ id, sideEffects: once });
        expect({ id, sideLogLines: side.filter((l) => l.split(' ')[0] === id).length }).toEqual({ id, sideLogLines: once });
      }
    },
    async waitNoPending(timeoutMs = 15_000) {
      await waitFor(async () => {
        const p = (await t.redis.xpending(t.keys.stream('compare'), 'compare')) as [number];
        return Number(p[0]) === 0;
      }, 'no pending entries', timeoutMs, 100);
    },
    async cleanup() {
      for (const w of workers) {
        w.cont();
        w.kill('SIGKILL');
      }
      await Promise.all(workers.map((w) => w.exited));
      await t.cleanup();
      rmSync(sideLog, { force: true });
    },
  };
  return s;
}
