/**
 * Boots one worker process: config → clients → consumer on its stream → health server, and a
 * graceful stop on SIGTERM/SIGINT (stop reading, finish or hand back in-flight jobs, quit).
 * Each workers/<kind>/main.ts is a one-line call to this with its definition.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../../src/config/env.js';
import type { Envelope } from '../../src/contracts/index.js';
import { createJobStore } from '../../src/jobs/store.js';
import type { JobStore } from '../../src/jobs/types.js';
import { createLogger, type Logger } from '../../src/lib/logger.js';
import { createRedis } from '../../src/redis/client.js';
import { createKeys, type Keys, type StreamKind } from '../../src/redis/keys.js';
import { createObjectStore } from '../../src/storage/index.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { ensureGroups, runConsumer, type JobContext, type Outcome, type Route } from '../../src/streams/index.js';
import { startHealthServer } from './health-server.js';

/** What a handler may use besides its message and job context. */
export interface WorkerDeps {
  config: Config;
  redis: Redis;
  keys: Keys;
  jobs: JobStore;
  store: ObjectStore;
  log: Logger;
}

export interface WorkerDefinition<M extends Envelope> {
  kind: StreamKind;
  schema: z.ZodType<M>;
  /** Jobs in flight per process unless WORKER_CONCURRENCY says otherwise. */
  defaultConcurrency: number;
  route(msg: M): Route;
  handle(msg: M, ctx: JobContext, deps: WorkerDeps): Promise<Outcome | null>;
  /** Periodic housekeeping owned by this kind (e.g. retention), stopped by the signal. */
  background?(deps: WorkerDeps, signal: AbortSignal): Promise<void>;
}

export async function runWorker<M extends Envelope>(def: WorkerDefinition<M>, env: NodeJS.ProcessEnv): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${def.kind}-worker: ${err.message}\n`);
    process.exit(1);
  }
  const component = `${def.kind}-worker`;
  const log = createLogger({ level: config.log.level, component });
  const consumerName = config.jobs.workerName ?? `${hostname()}-${process.pid}`;
  const redis = createRedis({ url: config.redis.url, name: `${component}:${consumerName}:command` });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const keys = createKeys(config.redis.prefix);
  const deps: WorkerDeps = { config, redis, keys, jobs: createJobStore({ redis, keys }), store: await createObjectStore(config), log };

  const health = await startHealthServer(config.metrics.port, {
    ready: async () => (await redis.ping()) === 'PONG',
  });
  // Groups exist before anything reads or writes this process's streams (retries until Redis is up).
  await ensureGroups(redis, keys);

  const stop = new AbortController();
  const consumer = runConsumer<M>({
    redis,
    url: config.redis.url,
    keys,
    kind: def.kind,
    schema: def.schema,
    concurrency: config.jobs.concurrency ?? def.defaultConcurrency,
    jobs: config.jobs,
    consumerName,
    log,
    route: (msg) => def.route(msg),
    handle: (msg, ctx) => def.handle(msg, ctx, deps),
  });
  const background = def.background?.(deps, stop.signal).catch((err: Error) => log.error({ err }, 'background task failed'));
  log.info({ consumerName, concurrency: config.jobs.concurrency ?? def.defaultConcurrency }, 'worker started');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'stopping: finishing in-flight jobs');
    stop.abort();
    await consumer.close();
    await background;
    health.close();
    await redis.quit().catch(() => redis.disconnect());
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
