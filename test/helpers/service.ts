/**
 * Runs the whole service as real processes for end-to-end tests: the API and one worker of each
 * kind, from source (`node --import tsx`), on free ports, against real Redis with a unique key
 * prefix and a temporary data directory. `stop()` ends them all and removes their data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/free-port.js';
import { useTestRedis, type TestRedis } from './redis.js';

export { freePort };

const ROOT = new URL('../../', import.meta.url).pathname;

export interface RunningService {
  baseUrl: string;
  redis: TestRedis;
  dataDir: string;
  procs: Map<string, ChildProcess>;
  logs: Map<string, string[]>;
  /** Each process's METRICS_PORT (the workers' health and metrics server). */
  metricsPorts: Map<string, number>;
  stop(): Promise<void>;
}

export type ProcessName = 'api' | 'compare' | 'payment' | 'export';

function entryFor(name: ProcessName): string {
  return name === 'api' ? join(ROOT, 'src/api/main.ts') : join(ROOT, `workers/${name}/main.ts`);
}

/**
 * Starts API + workers; resolves once /readyz answers 200 within `readyTimeoutMs`. The default,
 * 55 s, stays under vitest's 60 s hook timeout so a slow start still reports the API's log; the
 * API starts from source, and `npm test` runs builds, browsers and other services beside it.
 */
export async function startService(
  env: Record<string, string> = {},
  names: ProcessName[] = ['api', 'compare', 'payment', 'export'],
  opts: { readyTimeoutMs?: number } = {},
): Promise<RunningService> {
  const redis = await useTestRedis();
  const dataDir = await mkdtemp(join(tmpdir(), 'sheetdiff-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const procs = new Map<string, ChildProcess>();
  const logs = new Map<string, string[]>();
  const metricsPorts = new Map<string, number>();
  for (const name of names) {
    metricsPorts.set(name, await freePort());
    const child = spawn(process.execPath, ['--import', 'tsx', entryFor(name)], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_BASE_URL: baseUrl,
        REDIS_URL: redis.url,
        REDIS_PREFIX: redis.prefix,
        DATA_DIR: dataDir,
        METRICS_PORT: String(metricsPorts.get(name)),
        LOG_LEVEL: 'warn',
        SERVE_WEB_APP: 'false',
        JOB_LEASE_MS: '2000',
        RECLAIM_INTERVAL_MS: '500',
        STREAM_BLOCK_MS: '200',
        RETRY_BASE_MS: '50',
        RETRY_MAX_MS: '500',
        SHUTDOWN_GRACE_MS: '2000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    logs.set(name, lines);
    child.stdout?.on('data', (b: Buffer) => lines.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => lines.push(b.toString()));
    procs.set(name, child);
  }
  const stop = async () => {
    await Promise.all(
      [...procs.values()].map(
        (child) =>
          new Promise<void>((ok) => {
            if (child.exitCode !== null || child.signalCode !== null) return ok();
            child.once('exit', () => ok());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
    await redis.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  };
  if (names.includes('api')) {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 55_000);
    for (;;) {
      const ok = await fetch(`${baseUrl}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`API did not become ready:\n${logs.get('api')?.join('')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { baseUrl, redis, dataDir, procs, logs, metricsPorts, stop };
}

/** Polls `fn` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
