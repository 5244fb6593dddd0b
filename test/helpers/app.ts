/**
 * Builds the API for a test with real Redis (a unique key prefix), a temporary local store and
 * the real job store, and tears all of it down when the test finishes (fastify/demo's build(t)).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { onTestFinished } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { createJobStore } from '../../src/jobs/store.js';
import type { JobStore } from '../../src/jobs/types.js';
import { createLogger } from '../../src/lib/logger.js';
import { createRedis } from '../../src/redis/client.js';
import type { Keys } from '../../src/redis/keys.js';
import { createObjectStore } from '../../src/storage/index.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { useTestRedis, type TestRedis } from './redis.js';

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  keys: Keys;
  /** The app's own fail-fast connection. */
  redis: Redis;
  /** A separate helper connection with the test prefix (for assertions and cleanup). */
  testRedis: TestRedis;
  jobs: JobStore;
  store: ObjectStore;
  dataDir: string;
  /** The app's clock; move time with `clock.set(ms)` / `clock.advance(ms)`. */
  clock: { now: () => number; set(ms: number): void; advance(ms: number): void; reset(): void };
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment variables (as operators would set them). */
  env?: Record<string, string>;
  /** Point the app at another Redis (e.g. a closed port) instead of the test Redis. */
  redisUrl?: string;
  /** Wait until the app's Redis connection is ready. @defaultValue true unless redisUrl is set */
  waitForRedis?: boolean;
  /** Register the teardown with vitest's onTestFinished. @defaultValue true */
  autoClose?: boolean;
  /** SSE fallback poll interval. @defaultValue 15000 */
  ssePollMs?: number;
}

function waitReady(redis: Redis, ms = 5_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('test app redis not ready')), ms);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Builds a ready app; call inside a test (or pass autoClose: false and call close()). */
export async function buildTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const testRedis = await useTestRedis();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sheetdiff-api-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: opts.redisUrl ?? testRedis.url,
    REDIS_PREFIX: testRedis.prefix,
    DATA_DIR: dataDir,
    PUBLIC_BASE_URL: 'http://localhost:8080',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...opts.env,
  });
  let offset = 0;
  let fixed: number | null = null;
  const now = () => (fixed ?? Date.now()) + offset;
  const clock = {
    now,
    set: (ms: number) => void (fixed = ms),
    advance: (ms: number) => void (offset += ms),
    reset: () => void ((fixed = null), (offset = 0)),
  };
  const redis = createRedis({ url: config.redis.url, name: 'test-api', failFast: true, maxReconnectDelayMs: 200 });
  redis.on('error', () => undefined);
  if (opts.waitForRedis ?? opts.redisUrl === undefined) await waitReady(redis);
  const keys = testRedis.keys;
  const store = await createObjectStore(config, { now });
  const jobs = createJobStore({ redis, keys, clock: now });
  const log = createLogger({ level: config.log.level, component: 'api-test' });
  const app = await buildApp({
    config,
    redis,
    keys,
    store,
    jobs,
    log,
    clock: now,
    ...(opts.ssePollMs ? { ssePollMs: opts.ssePollMs } : {}),
  });
  await app.ready();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    redis.disconnect();
    await testRedis.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  };
  if (opts.autoClose ?? true) onTestFinished(close);
  return { app, config, keys, redis, testRedis, jobs, store, dataDir, clock, close };
}
