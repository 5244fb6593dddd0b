/**
 * The running worker: clients, the consumer on its stream (each job under a span restored from
 * the entry's trace context, with metrics), the health + metrics server, the stream sampler, and
 * a graceful stop on SIGTERM/SIGINT (stop reading, finish or hand back in-flight jobs, quit).
 */
import { hostname } from 'node:os';
import type { Config } from '../../src/config/env.js';
import type { Envelope } from '../../src/contracts/index.js';
import { createJobStore } from '../../src/jobs/store.js';
import type { Logger } from '../../src/lib/logger.js';
import { meterObjectStore } from '../../src/observability/metered-store.js';
import { collectProcessMetrics, renderMetrics } from '../../src/observability/metrics.js';
import { startStreamSampler } from '../../src/observability/stream-sampler.js';
import type { Tracing } from '../../src/observability/tracing.js';
import { createRedis } from '../../src/redis/client.js';
import { createKeys } from '../../src/redis/keys.js';
import { checkRedisServer } from '../../src/redis/server-check.js';
import { createObjectStore } from '../../src/storage/index.js';
import { ensureGroups, runConsumer } from '../../src/streams/index.js';
import { startHealthServer } from './health-server.js';
import { jobObserver } from './job-observer.js';
import type { WorkerDefinition, WorkerDeps } from './types.js';

export async function startWorkerProcess<M extends Envelope>(
  def: WorkerDefinition<M>,
  o: { config: Config; log: Logger; component: string; tracing: Tracing },
): Promise<void> {
  const { config, log, component } = o;
  const consumerName = config.jobs.workerName ?? `${hostname()}-${process.pid}`;
  const redis = createRedis({ url: config.redis.url, name: `${component}:${consumerName}:command` });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const keys = createKeys(config.redis.prefix);
  const store = meterObjectStore(await createObjectStore(config));
  const deps: WorkerDeps = { config, redis, keys, jobs: createJobStore({ redis, keys }), store, log };

  collectProcessMetrics();
  const health = await startHealthServer(config.metrics.port, {
    ready: async () => (await redis.ping()) === 'PONG',
    routes: { '/metrics': renderMetrics },
  });
  // A server the runtime cannot use is named before anything else fails on it (waits until Redis is up).
  const server = await checkRedisServer(redis);
  for (const w of server.warn) log.warn({}, `redis: ${w}`);
  if (server.refuse.length > 0) {
    log.error({ problems: server.refuse }, `this Redis cannot run sheetdiff: ${server.refuse.join('; ')}`);
    health.close();
    redis.disconnect();
    process.exit(1);
  }
  // Groups exist before anything reads or writes this process's streams.
  await ensureGroups(redis, keys);
  const stopSampler = startStreamSampler({ redis, keys, onError: (err) => log.debug({ err: err.message }, 'stream sample failed') });

  const stop = new AbortController();
  const concurrency = config.jobs.concurrency ?? def.defaultConcurrency;
  const observe = jobObserver(def.kind, () => consumer.stats().inFlight);
  const consumer = runConsumer<M>({
    redis,
    url: config.redis.url,
    keys,
    kind: def.kind,
    schema: def.schema,
    concurrency,
    jobs: config.jobs,
    consumerName,
    log,
    route: (msg) => def.route(msg),
    handle: observe.wrap((msg: M, ctx) => def.handle(msg, ctx, deps)),
    onSettled: observe.settled,
    onCount: observe.count,
  });
  const background = def.background?.(deps, stop.signal).catch((err: Error) => log.error({ err }, 'background task failed'));
  log.info({ consumerName, concurrency, tracing: o.tracing.enabled }, 'worker started');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'stopping: finishing in-flight jobs');
    stop.abort();
    stopSampler();
    await consumer.close();
    await background;
    health.close();
    await redis.quit().catch(() => redis.disconnect());
    await o.tracing.shutdown().catch(() => undefined);
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
